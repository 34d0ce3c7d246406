/**
 * NDR 2.0 (C706 chapter 14, little-endian / ASCII / IEEE only): the stub-data codec of every interface we serve.
 *
 * Alignment is counted from the start of the stub (C706 14.2.2: "the alignment of a primitive ... is relative
 * to the start of the octet stream"), which the PDU layer places on an 8-octet boundary.
 *
 * Pointers (C706 14.3.10-14.3.12): an embedded pointer is a 4-octet referent id in the flat part of its
 * structure; its referent is "deferred" to after the outermost constructed type being marshalled, in the
 * order the pointers were met, and a referent's own embedded pointees follow that referent. Both classes
 * keep a queue of deferred work for that; `flush()` runs it depth-first and is called after each top-level
 * parameter (`param()` does both). A top-level [ref] pointer has no wire representation at all; a
 * top-level [unique] pointer is its referent id followed at once by the referent.
 *
 * The reader enforces every bound through src/wire/Reader and caps conformance values by the bytes left, so
 * a hostile count can neither read out of the stub nor allocate more than the stub could describe.
 */
import {MalformedPacket} from '../wire/errors.js';
import {Reader} from '../wire/reader.js';
import {Writer} from '../wire/writer.js';

/** MS-DTYP 2.4.2.3 RPC_SID, as a value. */
export interface Sid {
  revision: number;
  /** 48-bit IdentifierAuthority as a number (it is big-endian on the wire). */
  authority: number;
  subAuthorities: number[];
}

/** MS-DTYP 2.4.2.3: SubAuthorityCount "MUST be less than or equal to 15". */
export const SID_MAX_SUB_AUTHORITIES = 15;

export function sidToString(s: Sid): string {
  return `S-${s.revision}-${s.authority}${s.subAuthorities.map((n) => `-${n >>> 0}`).join('')}`;
}

export function parseSid(text: string): Sid | undefined {
  const m = /^S-(\d+)-(\d+)((?:-\d+)*)$/i.exec(text.trim());
  if (!m) return undefined;
  const subs = m[3] ? m[3].slice(1).split('-').map(Number) : [];
  const authority = Number(m[2]);
  if (Number(m[1]) > 255 || authority >= 2 ** 48 || subs.length > SID_MAX_SUB_AUTHORITIES || subs.some((n) => n > 0xffffffff)) return undefined;
  return {revision: Number(m[1]), authority, subAuthorities: subs};
}

export function sidEquals(a: Sid, b: Sid): boolean {
  return a.revision === b.revision && a.authority === b.authority && a.subAuthorities.length === b.subAuthorities.length && a.subAuthorities.every((v, i) => v === b.subAuthorities[i]);
}

/** `domain` followed by one more sub-authority. */
export function sidAppend(domain: Sid, rid: number): Sid {
  return {...domain, subAuthorities: [...domain.subAuthorities, rid >>> 0]};
}

/** If `sid` is `domain` plus exactly one sub-authority, that RID. */
export function ridOf(sid: Sid, domain: Sid): number | undefined {
  if (sid.subAuthorities.length !== domain.subAuthorities.length + 1) return undefined;
  const parent = {...sid, subAuthorities: sid.subAuthorities.slice(0, -1)};
  return sidEquals(parent, domain) ? sid.subAuthorities[sid.subAuthorities.length - 1] : undefined;
}

/** The 20-octet context handle (MS-RPCE 2.2.2.12 / C706 ndr_context_handle: attributes + UUID). */
export const HANDLE_SIZE = 20;

/** The deferred result of a pointer read: `value` is set once its referent has been decoded. */
export class Deferred<T> {
  /** undefined while pending; null for a NULL pointer. */
  value: T | null | undefined = undefined;
  constructor(readonly referentId: number) {
    if (referentId === 0) this.value = null;
  }
  get(): T | null {
    if (this.value === undefined) throw new Error('NDR referent read before flush()');
    return this.value;
  }
}

export class NdrReader {
  readonly r: Reader;
  private deferred: Array<() => void> = [];
  private readonly full = new Map<number, Deferred<unknown>>();

  constructor(stub: Buffer, start = 0, end = stub.length) {
    this.r = new Reader(stub, start, end);
  }

  get remaining(): number {
    return this.r.remaining;
  }

  align(n: number): this {
    this.r.align(n);
    return this;
  }

  u8(): number {
    return this.r.u8();
  }
  u16(): number {
    this.r.align(2);
    return this.r.u16();
  }
  u32(): number {
    this.r.align(4);
    return this.r.u32();
  }
  i32(): number {
    this.r.align(4);
    return this.r.i32();
  }
  hyper(): bigint {
    this.r.align(8);
    return this.r.u64();
  }
  /** C706 14.2.6: NDR20 enums are represented as 16-bit values, 0..32767. */
  enum16(): number {
    const v = this.u16();
    if (v > 0x7fff) throw new MalformedPacket(`enum value ${v} out of range`, this.r.offset - 2);
    return v;
  }
  bytes(n: number): Buffer {
    return this.r.bytes(n);
  }
  handle(): Buffer {
    this.r.align(4);
    return this.r.copy(HANDLE_SIZE);
  }

  /** A conformance or variance count, refused when `elementSize` * count cannot fit in the bytes left. */
  count(elementSize = 1): number {
    const at = this.r.offset;
    const n = this.u32();
    if (n * Math.max(1, elementSize) > this.r.remaining) throw new MalformedPacket(`count ${n} exceeds the stub`, at);
    return n;
  }

  /** A referent id (0 = NULL). */
  pointerId(): number {
    return this.u32();
  }

  /** Embedded [unique] pointer: the referent is read at the next flush(). */
  unique<T>(read: () => T): Deferred<T> {
    const d = new Deferred<T>(this.pointerId());
    if (d.referentId !== 0) this.deferred.push(() => (d.value = read()));
    return d;
  }

  /** Embedded [ref] pointer: as unique, but NULL is malformed (C706 14.3.10 "a reference pointer ... cannot be null"). */
  ref<T>(read: () => T): Deferred<T> {
    const at = this.r.offset;
    const d = this.unique(read);
    if (d.referentId === 0) throw new MalformedPacket('NULL [ref] pointer', at);
    return d;
  }

  /** Embedded [ptr] (full) pointer: a referent id seen before names the same referent, read once. */
  fullPtr<T>(read: () => T): Deferred<T> {
    const id = this.pointerId();
    if (id === 0) return new Deferred<T>(0);
    const seen = this.full.get(id);
    if (seen) return seen as Deferred<T>;
    const d = new Deferred<T>(id);
    this.full.set(id, d as Deferred<unknown>);
    this.deferred.push(() => (d.value = read()));
    return d;
  }

  /** Top-level [unique] pointer: referent id then, at once, the referent. */
  topUnique<T>(read: () => T): T | null {
    if (this.pointerId() === 0) return null;
    return this.param(read);
  }

  /** Read deferred referents, each followed by its own pointees (depth-first). */
  flush(): void {
    const q = this.deferred;
    this.deferred = [];
    for (const f of q) {
      f();
      this.flush();
    }
  }

  /** One top-level parameter: its flat part, then its deferred pointees. */
  param<T>(read: () => T): T {
    const v = read();
    this.flush();
    return v;
  }

  /** Conformant array (C706 14.3.3.2): max_count, then the elements. */
  conformantArray<T>(elementSize: number, read: (i: number) => T): T[] {
    const n = this.count(elementSize);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(i));
    return out;
  }

  /** Conformant varying array (C706 14.3.3.4): max_count, offset, actual_count, elements. */
  conformantVaryingArray<T>(elementSize: number, read: (i: number) => T, maxAllowed = Infinity): T[] {
    const at = this.r.offset;
    const max = this.u32();
    const offset = this.u32();
    const actual = this.count(elementSize);
    if (offset !== 0 || actual > max || max > maxAllowed) throw new MalformedPacket(`varying array offset ${offset} actual ${actual} max ${max}`, at);
    const out: T[] = [];
    for (let i = 0; i < actual; i++) out.push(read(i));
    return out;
  }

  /** [string] wchar_t*: a conformant varying array of UTF-16 units; the terminating NUL is dropped. */
  wstring(): string {
    const at = this.r.offset;
    const max = this.u32();
    const offset = this.u32();
    const actual = this.count(2);
    if (offset !== 0 || actual > max) throw new MalformedPacket(`string offset ${offset} actual ${actual} max ${max}`, at);
    return utf16(this.r.bytes(actual * 2), true);
  }

  /** Embedded or top-level [unique, string] wchar_t*. */
  uniqueWString(): Deferred<string> {
    return this.unique(() => this.wstring());
  }

  /**
   * MS-DTYP 2.3.10 RPC_UNICODE_STRING {Length; MaximumLength; [size_is(MaximumLength/2), length_is(Length/2)] Buffer}.
   * The flat part; the buffer is deferred.
   */
  unicodeString(): Deferred<string> {
    this.align(4);
    const at = this.r.offset;
    const length = this.u16();
    const maximum = this.u16();
    if (length % 2 !== 0 || length > maximum) throw new MalformedPacket(`RPC_UNICODE_STRING Length ${length} MaximumLength ${maximum}`, at);
    return this.unique(() => {
      const arrAt = this.r.offset;
      const max = this.u32();
      const offset = this.u32();
      const actual = this.count(2);
      if (offset !== 0 || actual > max || actual !== length / 2) throw new MalformedPacket('RPC_UNICODE_STRING buffer disagrees with its Length', arrAt);
      return utf16(this.r.bytes(actual * 2), false);
    });
  }

  /** MS-DTYP 2.4.2.3 RPC_SID, a conformant structure: max_count first, then the structure. */
  sid(): Sid {
    const at = this.r.offset;
    const max = this.u32();
    const revision = this.u8();
    const n = this.u8();
    if (n !== max || n > SID_MAX_SUB_AUTHORITIES) throw new MalformedPacket(`SID sub-authority count ${n} (conformance ${max})`, at);
    const auth = this.r.bytes(6);
    const authority = auth.readUIntBE(0, 6);
    const subAuthorities: number[] = [];
    for (let i = 0; i < n; i++) subAuthorities.push(this.u32());
    return {revision, authority, subAuthorities};
  }

  /** The whole stub must have been consumed, apart from alignment padding (some clients pad to 8). */
  end(): void {
    if (this.r.remaining > 7) throw new MalformedPacket(`${this.r.remaining} bytes left after the parameters`, this.r.offset);
  }
}

function utf16(b: Buffer, stripNul: boolean): string {
  if (b.length % 2 !== 0) throw new MalformedPacket('odd UTF-16 length');
  let end = b.length;
  if (stripNul) while (end >= 2 && b[end - 2] === 0 && b[end - 1] === 0) end -= 2;
  // Lone surrogates decode to U+FFFD: these names only feed lookups, never a file system path.
  return b.toString('utf16le', 0, end);
}

export class NdrWriter {
  readonly w: Writer;
  private deferred: Array<() => void> = [];
  private nextId = 0x00020000;
  private readonly full = new Map<unknown, number>();

  constructor(w = new Writer(256)) {
    this.w = w;
  }

  get length(): number {
    return this.w.length;
  }

  align(n: number): this {
    this.w.align(n);
    return this;
  }

  u8(v: number): this {
    this.w.u8(v);
    return this;
  }
  u16(v: number): this {
    this.w.align(2);
    this.w.u16(v);
    return this;
  }
  u32(v: number): this {
    this.w.align(4);
    this.w.u32(v);
    return this;
  }
  i32(v: number): this {
    return this.u32(v >>> 0);
  }
  hyper(v: bigint | number): this {
    this.w.align(8);
    this.w.u64(v);
    return this;
  }
  enum16(v: number): this {
    return this.u16(v);
  }
  bytes(b: Uint8Array): this {
    this.w.bytes(b);
    return this;
  }
  handle(h: Uint8Array): this {
    this.w.align(4);
    this.w.fixed(h, HANDLE_SIZE);
    return this;
  }

  private referent(): number {
    const id = this.nextId;
    this.nextId += 4;
    return id;
  }

  /** Embedded [unique] pointer to `value` (null/undefined = NULL); `write` runs at the next flush(). */
  unique<T>(value: T | null | undefined, write: (v: T) => void): this {
    if (value === null || value === undefined) return this.u32(0);
    this.u32(this.referent());
    this.deferred.push(() => write(value));
    return this;
  }

  /** Embedded [ref] pointer: never NULL on the wire. */
  ref<T>(value: T, write: (v: T) => void): this {
    this.u32(this.referent());
    this.deferred.push(() => write(value));
    return this;
  }

  /** Embedded [ptr] (full) pointer: the same object (by identity) gets the same referent id and one referent. */
  fullPtr<T>(value: T | null | undefined, write: (v: T) => void): this {
    if (value === null || value === undefined) return this.u32(0);
    const seen = this.full.get(value);
    if (seen !== undefined) return this.u32(seen);
    const id = this.referent();
    this.full.set(value, id);
    this.u32(id);
    this.deferred.push(() => write(value));
    return this;
  }

  /** Top-level [unique] pointer: referent id then the referent at once. */
  topUnique<T>(value: T | null | undefined, write: (v: T) => void): this {
    if (value === null || value === undefined) return this.u32(0);
    this.u32(this.referent());
    return this.param(() => write(value));
  }

  flush(): this {
    const q = this.deferred;
    this.deferred = [];
    for (const f of q) {
      f();
      this.flush();
    }
    return this;
  }

  param(write: () => void): this {
    write();
    return this.flush();
  }

  conformantArray<T>(items: readonly T[], write: (v: T, i: number) => void): this {
    this.u32(items.length);
    items.forEach(write);
    return this;
  }

  conformantVaryingArray<T>(items: readonly T[], max: number, write: (v: T, i: number) => void): this {
    this.u32(Math.max(max, items.length)).u32(0).u32(items.length);
    items.forEach(write);
    return this;
  }

  /** [string] wchar_t*: conformant varying, NUL-terminated, counts include the NUL. */
  wstring(s: string): this {
    const b = Buffer.from(s + '\0', 'utf16le');
    const n = b.length / 2;
    this.u32(n).u32(0).u32(n);
    return this.bytes(b);
  }

  uniqueWString(s: string | null | undefined): this {
    return this.unique(s, (v) => this.wstring(v));
  }

  /**
   * RPC_UNICODE_STRING: no terminating NUL; null writes a NULL buffer with zero lengths. `withNulRoom`
   * announces room for a NUL (MaximumLength = Length + 2), as Windows LSA does for the domain names of
   * policy information and referenced domain lists; the NUL itself is not sent.
   */
  unicodeString(s: string | null | undefined, withNulRoom = false): this {
    this.align(4);
    if (s === null || s === undefined) return this.u16(0).u16(0).u32(0);
    const b = Buffer.from(s, 'utf16le');
    if (b.length > 0xfffc) throw new RangeError('RPC_UNICODE_STRING longer than 32766 characters');
    const max = withNulRoom ? b.length + 2 : b.length;
    this.u16(b.length).u16(max);
    return this.unique(b, (v) => {
      this.u32(max / 2).u32(0).u32(v.length / 2);
      this.bytes(v);
    });
  }

  sid(s: Sid): this {
    if (s.subAuthorities.length > SID_MAX_SUB_AUTHORITIES) throw new RangeError('SID with more than 15 sub-authorities');
    this.u32(s.subAuthorities.length);
    this.u8(s.revision).u8(s.subAuthorities.length);
    const auth = Buffer.alloc(6);
    auth.writeUIntBE(s.authority, 0, 6);
    this.bytes(auth);
    for (const v of s.subAuthorities) this.u32(v);
    return this;
  }

  /** The stub (a copy), after flushing anything left. */
  finish(): Buffer {
    this.flush();
    return this.w.finishCopy();
  }
}
