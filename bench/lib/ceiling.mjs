// The Node ceiling, both ends. `serve FILE`: a plain net.Server on 127.0.0.1 that streams FILE to each
// client (fs.createReadStream piped to the socket, 1 MiB chunks, backpressure by pipeline) and prints
// "PORT n". `fetch PORT`: connects, discards everything, prints "BYTES n NS t" (connect to last byte).
import {createReadStream} from 'node:fs';
import {connect, createServer} from 'node:net';
import {pipeline} from 'node:stream';

const [mode, arg] = process.argv.slice(2);
if (mode === 'serve') {
  const server = createServer((sock) => {
    pipeline(createReadStream(arg, {highWaterMark: 1024 * 1024}), sock, () => sock.destroy());
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
  process.on('SIGTERM', () => process.exit(0));
} else if (mode === 'fetch') {
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  const sock = connect(Number(arg), '127.0.0.1');
  sock.on('data', (d) => (bytes += d.length));
  sock.on('end', () => {
    process.stdout.write(`BYTES ${bytes} NS ${process.hrtime.bigint() - t0}\n`);
    process.exit(0);
  });
  sock.on('error', (e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write('usage: ceiling.mjs serve FILE | fetch PORT\n');
  process.exit(2);
}
