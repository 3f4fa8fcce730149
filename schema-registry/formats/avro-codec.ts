/**
 * The Avro plugin's hot path for serdes: values encoded after a header written once and copied out
 * in one buffer of the exact size, and decoded in place at an offset.
 *
 * avsc's public `Type#encode(value, buf, pos)` makes a `Tap` (a buffer and a position) per call and
 * `Type#decode(buf, pos)` a Tap and a result object; `toBuffer` and `fromBuffer` cannot start at an
 * offset. Here each encoder keeps a Tap over its own scratch buffer, and each decode makes a Tap
 * only. `Tap` (in `avsc/lib/utils.js`) and the types' `_write` and `_read` are avsc internals: they
 * are looked up and checked once, and when avsc no longer has them the codecs use the public
 * `encode` and `decode` instead, with the same bytes and values. The tests run both paths.
 */
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import type avsc from 'avsc';
import { type AvroType, view } from './avro-model.ts';
import { asBuffer, copyOut } from './bytes.ts';
import { messageOf, undecodable, validationFailed } from './errors.ts';
import type { FramedDecoder, FramedEncoder } from './types.ts';

/** avsc's cursor over a buffer; its methods fail silently past the end and leave `pos` beyond it. */
interface Tap {
  buf: Buffer;
  pos: number;
}

type TapConstructor = new (buf: Buffer, pos?: number) => Tap;

/** The internal halves of an avsc Type (writes and reads) and Resolver (reads). */
interface TapWriter {
  _write(tap: Tap, value: unknown): void;
}
interface TapReader {
  _read(tap: Tap): unknown;
}

const Tap = loadTap();

/** True when avsc's Tap was found and behaves as expected: the codecs then use it. */
export const hasTap = Tap !== undefined;

/**
 * Scratch buffers grow to fit the values written, up to this size; a larger value is written twice,
 * the second time straight into its output buffer, as `toBuffer` does.
 */
const LARGEST_SCRATCH = 64 * 1024;
const FIRST_SCRATCH = 1024;

/** Where the public path encodes before its exact-size copy (made at its first use); encoding is synchronous. */
let scratch: Buffer | undefined;

function loadTap(): TapConstructor | undefined {
  try {
    const { Tap } = createRequire(import.meta.url)('avsc/lib/utils.js') as { Tap?: unknown };
    if (typeof Tap !== 'function') return undefined;
    const buf = Buffer.alloc(2);
    const tap = new (Tap as TapConstructor)(buf, 1);
    return tap.buf === buf && tap.pos === 1 ? (Tap as TapConstructor) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An encoder of `type` whose every output is `header`, then the value's Avro binary, in one buffer
 * of the exact size: what avsc's own `toBuffer` does (encode into scratch, copy out), with the
 * header in the same copy. `useTap` false takes avsc's public `encode`.
 */
export function avroEncoder(type: avsc.Type, header: Uint8Array, useTap = true): FramedEncoder {
  const canTap = useTap && Tap !== undefined && typeof (type as unknown as Partial<TapWriter>)._write === 'function';
  return canTap ? new TapEncoder(type, header, Tap) : new PublicEncoder(type, header);
}

/**
 * A decoder of data written with a type: `type` itself, or with a resolver, the reader's type that
 * the data is resolved to. `useTap` false takes avsc's public `decode`.
 */
export function avroDecoder(type: avsc.Type, resolver: avsc.Resolver | undefined, useTap = true): FramedDecoder {
  const reader = (resolver ?? type) as unknown as Partial<TapReader>;
  const canTap = useTap && Tap !== undefined && typeof reader._read === 'function';
  return canTap ? new TapDecoder(reader as TapReader, Tap) : new PublicDecoder(type, resolver);
}

// The hot methods below are kept small, their failures built elsewhere: V8 inlines a call chain up
// to a budget of bytecode, and what they spend of it avsc's own reads and writes cannot.

/** Each encoder has its own Tap over a scratch buffer that starts with the header, written once. */
class TapEncoder implements FramedEncoder {
  private readonly writer: TapWriter;
  private tap: Tap;

  constructor(
    private readonly type: avsc.Type,
    private readonly header: Uint8Array,
    private readonly Tap: TapConstructor,
  ) {
    this.writer = type as unknown as TapWriter;
    this.tap = this.headed(FIRST_SCRATCH);
  }

  encode(value: unknown): Uint8Array {
    const tap = this.tap;
    tap.pos = this.header.length;
    try {
      // Writing checks every value written; the slower isValid walk runs only to explain a failure.
      this.writer._write(tap, value);
    } catch (err) {
      throw explain(this.type, value, err);
    }
    // Tap writes past the end fail silently and leave `pos` beyond it.
    if (tap.pos > tap.buf.length) return this.encodeGrown(value);
    return copyOut(tap.buf, tap.pos);
  }

  private encodeGrown(value: unknown): Uint8Array {
    const size = this.tap.pos;
    if (size <= LARGEST_SCRATCH) {
      this.tap = this.headed(Math.min(2 * size, LARGEST_SCRATCH));
      return this.encode(value);
    }
    const out = Buffer.allocUnsafe(size);
    out.set(this.header, 0);
    this.writer._write(new this.Tap(out, this.header.length), value);
    return out;
  }

  private headed(size: number): Tap {
    const buf = Buffer.allocUnsafe(size);
    buf.set(this.header, 0);
    return new this.Tap(buf, 0);
  }
}

class PublicEncoder implements FramedEncoder {
  constructor(
    private readonly type: avsc.Type,
    private readonly header: Uint8Array,
  ) {}

  encode(value: unknown): Uint8Array {
    const start = this.header.length;
    scratch ??= Buffer.allocUnsafe(LARGEST_SCRATCH);
    try {
      const end = this.type.encode(value, scratch, start);
      if (end >= 0) {
        scratch.set(this.header, 0);
        return copyOut(scratch, end);
      }
      // avsc answers a too-small buffer with minus the bytes missing.
      const out = Buffer.allocUnsafe(scratch.length - end);
      out.set(this.header, 0);
      this.type.encode(value, out, start);
      return out;
    } catch (err) {
      throw explain(this.type, value, err);
    }
  }
}

/**
 * A new Tap per value, as `fromBuffer` makes one: storing each buffer into a long-lived Tap would
 * cost a write barrier (an old object pointing to a young one) that a young Tap does not.
 */
class TapDecoder implements FramedDecoder {
  constructor(
    private readonly reader: TapReader,
    private readonly Tap: TapConstructor,
  ) {}

  decode(data: Uint8Array, offset: number): unknown {
    const buf = asBuffer(data);
    const tap = new this.Tap(buf, offset);
    let value: unknown;
    try {
      value = this.reader._read(tap);
    } catch (err) {
      throw unreadable(err);
    }
    if (tap.pos !== buf.length) throw leftOver(tap.pos, buf.length);
    return value;
  }
}

class PublicDecoder implements FramedDecoder {
  constructor(
    private readonly type: avsc.Type,
    private readonly resolver: avsc.Resolver | undefined,
  ) {}

  decode(data: Uint8Array, offset: number): unknown {
    const buf = asBuffer(data);
    let decoded: { value: unknown; offset: number };
    try {
      decoded = this.type.decode(buf, offset, this.resolver);
    } catch (err) {
      throw unreadable(err);
    }
    if (decoded.offset !== buf.length) throw leftOver(decoded.offset, buf.length);
    return decoded.value;
  }
}

function unreadable(err: unknown) {
  return undecodable('AVRO', `Cannot decode Avro data: ${messageOf(err)}`, err);
}

function leftOver(end: number, length: number) {
  return undecodable(
    'AVRO',
    `Cannot decode Avro data: ${end < 0 || end > length ? 'truncated buffer' : 'trailing data'}`,
  );
}

/** SCHEMA_VALIDATION_FAILED for a value avsc refused, naming the first path that does not match. */
export function explain(type: avsc.Type, value: unknown, err: unknown) {
  let failure: { path: string; rule: string; value: unknown } | undefined;
  type.isValid(value, {
    errorHook(path: string[], val: unknown, at: avsc.Type) {
      failure ??= { path: `/${path.join('/')}`, rule: describeType(view(at)), value: val };
    },
  });
  if (failure === undefined) {
    return validationFailed('AVRO', '/', 'encode', messageOf(err), err);
  }
  return validationFailed(
    'AVRO',
    failure.path,
    failure.rule,
    `${preview(failure.value)} is not a valid ${failure.rule}`,
    err,
  );
}

function describeType(type: AvroType): string {
  if (type.name !== undefined) return `${type.typeName} ${type.name}`;
  return type.typeName.startsWith('union:') ? 'union' : type.typeName;
}

function preview(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
