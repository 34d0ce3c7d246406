/**
 * Reading a connection's socket into buffers of our choosing (Node's `onread` socket option, which
 * net.Server does not offer for the sockets it accepts). The body of a large frame is read by the kernel
 * straight into the frame's assembly buffer (FrameParser.target()), in reads as large as the data
 * waiting: no 64 KiB buffer allocated per read (each one external memory the garbage collector must
 * track and free: for an 8 MiB WRITE stream that was most of its GC work), and no copy.
 *
 * Node 20's net.Socket implements `onread` with three own symbol-keyed properties (kBuffer, kBufferCb,
 * kBufferGen) and the handle's useUserBuffer(); a Socket built with `onread` sets them in its constructor,
 * here they are set on an accepted socket before its first read is delivered. When this Node's sockets do
 * not look like that, nothing is changed and the caller keeps 'data' events.
 */
import type {Socket} from 'node:net';

interface UserBufferHandle {
  useUserBuffer(buf: Uint8Array): void;
}

/**
 * Make `socket` read into `next()`'s buffers: `onRead(n, buf)` gets each read (the first n bytes of buf,
 * which must be copied if kept past the next read of that same buffer), then `next()` is asked where the
 * following read goes. Returns false (and changes nothing) when the socket cannot be switched: a socket
 * that already delivered data, or Node internals not as expected.
 */
export function readIntoBuffers(socket: Socket, next: () => Buffer, onRead: (n: number, buf: Buffer) => void): boolean {
  const symbols = Object.getOwnPropertySymbols(socket);
  const sym = (name: string): symbol | undefined => symbols.find((s) => s.description === name);
  const kBuffer = sym('kBuffer');
  const kBufferCb = sym('kBufferCb');
  const kBufferGen = sym('kBufferGen');
  const handle = (socket as unknown as {_handle?: Partial<UserBufferHandle> | null})._handle;
  if (!kBuffer || !kBufferCb || !kBufferGen || !handle || typeof handle.useUserBuffer !== 'function') return false;
  const s = socket as unknown as Record<symbol, unknown>;
  if (s[kBuffer] !== null || s[kBufferCb] !== null || s[kBufferGen] !== null) return false;
  if (socket.readableLength > 0 || socket.bytesRead > 0 || socket.destroyed) return false;
  const first = next();
  s[kBuffer] = first;
  // Node calls this with the buffer it read into, then kBufferGen for the next one (a return of false
  // would pause the socket: backpressure stays with pause()/resume(), which honour these buffers).
  s[kBufferCb] = (n: number, buf: Buffer): boolean => {
    onRead(n, buf);
    return true;
  };
  s[kBufferGen] = next;
  handle.useUserBuffer(first);
  return true;
}
