/**
 * The declarative schema every API codec is built from: a message is a list of fields, each with
 * the versions it exists in, the versions it may be null in, an optional tag (a tagged field of the
 * flexible versions) and a default. This is the shape of Kafka's own message specs, written here in
 * TypeScript so that the TypeScript type of a message follows from its schema.
 *
 * Versions use Kafka's syntax: `'3+'` (3 and later), `'0-4'`, `'7'`, `'none'`.
 *
 * Encodings follow from the version: in a flexible version (the message's `flexible` range) strings,
 * bytes, records and arrays are compact (unsigned varint length + 1, 0 for null) and every struct
 * ends with a tagged-field section; before it they carry int16 (strings) or int32 (bytes, arrays)
 * lengths with -1 for null. A field absent from a version decodes to its default and is not written.
 * Tagged fields are written only when they differ from their default; unknown tags are skipped.
 *
 * Codecs are compiled once per version on first use: each struct gets a generated read function
 * that builds its object in one literal (one hidden class per struct and version) and a generated
 * write function, both calling per-field codecs; nothing is allocated per field but the values.
 *
 * @example
 * const HeartbeatRequest = message({
 *   valid: '0-4', flexible: '4+',
 *   fields: [
 *     f.string('groupId', '0+'),
 *     f.int32('generationId', '0+'),
 *     f.string('memberId', '0+'),
 *     f.nstring('groupInstanceId', '3+', '3+'),
 *   ],
 * });
 * type HeartbeatRequest = MessageOf<typeof HeartbeatRequest>;
 * const bytes = HeartbeatRequest.encode(3, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
 * HeartbeatRequest.decode(3, bytes).memberId; // 'm'
 */

import { TributaryError } from '../../errors.ts';
import { corrupt, Reader } from './reader.ts';
import { Writer } from './writer.ts';

/** An inclusive version range; `lo > hi` is the empty range ('none'). */
export interface VersionRange {
  readonly lo: number;
  readonly hi: number;
}

/** Parses Kafka's version syntax: '3+', '0-4', '7', 'none'. */
export function versions(spec: string): VersionRange {
  if (spec === 'none') return { lo: 1, hi: 0 };
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return { lo: Number(plus[1]), hi: Number.POSITIVE_INFINITY };
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) return { lo: Number(range[1]), hi: Number(range[2]) };
  if (/^\d+$/.test(spec)) return { lo: Number(spec), hi: Number(spec) };
  throw new TypeError(`Bad version range ${JSON.stringify(spec)}`);
}

function within(range: VersionRange, v: number): boolean {
  return v >= range.lo && v <= range.hi;
}

/** The primitive types of Kafka's message specs. */
export type Primitive =
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'int64'
  | 'float64'
  | 'bool'
  | 'uuid'
  | 'string'
  | 'bytes'
  | 'records';

type PrimitiveValue<P extends Primitive> = P extends 'bool'
  ? boolean
  : P extends 'uuid' | 'string'
    ? string
    : P extends 'bytes' | 'records'
      ? Buffer
      : number;

/** A field's type: a primitive, a struct (its fields) or an array of either. */
export type TypeDef =
  | { readonly kind: 'primitive'; readonly p: Primitive }
  | { readonly kind: 'struct'; readonly fields: readonly AnyField[] }
  | { readonly kind: 'array'; readonly of: TypeDef };

/** One field of a message or struct. `T` is the TypeScript type of its value. */
export interface Field<N extends string, T> {
  readonly name: N;
  readonly type: TypeDef;
  readonly versions: VersionRange;
  readonly nullable: VersionRange;
  readonly tag: number | undefined;
  readonly tagged: VersionRange;
  readonly default: unknown;
  /** Phantom: carries the value type for {@link StructOf}; never set. */
  readonly __value?: T;
}

// biome-ignore lint/suspicious/noExplicitAny: the field list is heterogeneous by design.
export type AnyField = Field<string, any>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The object type a field list decodes to. */
export type StructOf<F extends readonly AnyField[]> = Simplify<{
  -readonly [E in F[number] as E['name']]: E extends Field<string, infer T> ? T : never;
}>;

/** Per-field options: a tag (tagged in `tagged` versions, default: all its versions) and a default. */
export interface FieldOptions<T> {
  tag?: number;
  tagged?: string;
  default?: T;
}

function field<N extends string, T>(
  name: N,
  type: TypeDef,
  vs: string,
  nullable: string,
  opts: FieldOptions<T> | undefined,
): Field<N, T> {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name))
    throw new TypeError(`Field name ${JSON.stringify(name)} is not an identifier`);
  return {
    name,
    type,
    versions: versions(vs),
    nullable: versions(nullable),
    tag: opts?.tag,
    tagged: versions(opts?.tag === undefined ? 'none' : (opts.tagged ?? vs)),
    default: opts?.default,
  };
}

function prim<P extends Primitive>(p: P) {
  const type: TypeDef = { kind: 'primitive', p };
  return <N extends string>(name: N, vs: string, opts?: FieldOptions<PrimitiveValue<P>>): Field<N, PrimitiveValue<P>> =>
    field(name, type, vs, 'none', opts);
}

function nprim<P extends Primitive>(p: P) {
  const type: TypeDef = { kind: 'primitive', p };
  return <N extends string>(
    name: N,
    vs: string,
    nullable: string,
    opts?: FieldOptions<PrimitiveValue<P> | null>,
  ): Field<N, PrimitiveValue<P> | null> => field(name, type, vs, nullable, opts);
}

/**
 * Field builders. `nX` builders take the nullable versions as their third argument and give the
 * field the type `X | null`.
 */
export const f = {
  int8: prim('int8'),
  int16: prim('int16'),
  uint16: prim('uint16'),
  int32: prim('int32'),
  int64: prim('int64'),
  float64: prim('float64'),
  bool: prim('bool'),
  uuid: prim('uuid'),
  string: prim('string'),
  nstring: nprim('string'),
  bytes: prim('bytes'),
  nbytes: nprim('bytes'),
  records: prim('records'),
  nrecords: nprim('records'),
  /** A struct-valued field (not an array). */
  struct<N extends string, const F extends readonly AnyField[]>(
    name: N,
    vs: string,
    fields: F,
    opts?: FieldOptions<StructOf<F>>,
  ): Field<N, StructOf<F>> {
    return field(name, { kind: 'struct', fields }, vs, 'none', opts);
  },
  /** A nullable struct-valued field (an int8 -1/1 marker before it). */
  nstruct<N extends string, const F extends readonly AnyField[]>(
    name: N,
    vs: string,
    nullable: string,
    fields: F,
    opts?: FieldOptions<StructOf<F> | null>,
  ): Field<N, StructOf<F> | null> {
    return field(name, { kind: 'struct', fields }, vs, nullable, opts);
  },
  /** An array of structs. */
  array<N extends string, const F extends readonly AnyField[]>(
    name: N,
    vs: string,
    fields: F,
    opts?: FieldOptions<StructOf<F>[]>,
  ): Field<N, StructOf<F>[]> {
    return field(name, { kind: 'array', of: { kind: 'struct', fields } }, vs, 'none', opts);
  },
  /** A nullable array of structs. */
  narray<N extends string, const F extends readonly AnyField[]>(
    name: N,
    vs: string,
    nullable: string,
    fields: F,
    opts?: FieldOptions<StructOf<F>[] | null>,
  ): Field<N, StructOf<F>[] | null> {
    return field(name, { kind: 'array', of: { kind: 'struct', fields } }, vs, nullable, opts);
  },
  /** An array of a primitive type. */
  arrayOf<N extends string, P extends Primitive>(
    name: N,
    vs: string,
    p: P,
    opts?: FieldOptions<PrimitiveValue<P>[]>,
  ): Field<N, PrimitiveValue<P>[]> {
    return field(name, { kind: 'array', of: { kind: 'primitive', p } }, vs, 'none', opts);
  },
  /** A nullable array of a primitive type. */
  narrayOf<N extends string, P extends Primitive>(
    name: N,
    vs: string,
    nullable: string,
    p: P,
    opts?: FieldOptions<PrimitiveValue<P>[] | null>,
  ): Field<N, PrimitiveValue<P>[] | null> {
    return field(name, { kind: 'array', of: { kind: 'primitive', p } }, vs, nullable, opts);
  },
};

/** A compiled codec for one type in one version. `min` is the fewest bytes a value can take. */
interface Codec {
  read(r: Reader): unknown;
  write(w: Writer, v: unknown): void;
  readonly min: number;
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const EMPTY = Buffer.alloc(0);

function primitiveCodec(p: Primitive, flexible: boolean, nullable: boolean, name: string): Codec {
  switch (p) {
    case 'int8':
      return { read: (r) => r.int8(), write: (w, v) => w.int8(v as number), min: 1 };
    case 'int16':
      return { read: (r) => r.int16(), write: (w, v) => w.int16(v as number), min: 2 };
    case 'uint16':
      return { read: (r) => r.uint16(), write: (w, v) => w.uint16(v as number), min: 2 };
    case 'int32':
      return { read: (r) => r.int32(), write: (w, v) => w.int32(v as number), min: 4 };
    case 'int64':
      return { read: (r) => r.int64(), write: (w, v) => w.int64(v as number), min: 8 };
    case 'float64':
      return { read: (r) => r.float64(), write: (w, v) => w.float64(v as number), min: 8 };
    case 'bool':
      return { read: (r) => r.bool(), write: (w, v) => w.bool(v as boolean), min: 1 };
    case 'uuid':
      return { read: (r) => r.uuid(), write: (w, v) => w.uuid(v as string), min: 16 };
    case 'string':
      return flexible
        ? {
            read: (r) => r.compactString(nullable),
            write: (w, v) => w.compactString(checkNull(v, nullable, name) as string | null),
            min: 1,
          }
        : {
            read: (r) => r.string(nullable),
            write: (w, v) => w.string(checkNull(v, nullable, name) as string | null),
            min: 2,
          };
    case 'bytes':
      return flexible
        ? {
            read: (r) => r.compactBytes(nullable),
            write: (w, v) => w.compactBytes(checkNull(v, nullable, name) as Uint8Array | null),
            min: 1,
          }
        : {
            read: (r) => r.bytes(nullable),
            write: (w, v) => w.bytes(checkNull(v, nullable, name) as Uint8Array | null),
            min: 4,
          };
    case 'records':
      return flexible
        ? {
            read: (r) => r.compactBytes(nullable),
            write: (w, v) => writeRecords(w, checkNull(v, nullable, name), true),
            min: 1,
          }
        : {
            read: (r) => r.bytes(nullable),
            write: (w, v) => writeRecords(w, checkNull(v, nullable, name), false),
            min: 4,
          };
  }
}

/**
 * A records field: one buffer, or the {@link RecordSegments} of several stored batches, written as
 * one length and then each segment (referenced by the writer, never concatenated).
 */
function writeRecords(w: Writer, v: unknown, flexible: boolean): void {
  if (!(v instanceof RecordSegments)) {
    if (flexible) w.compactBytes(v as Uint8Array | null);
    else w.bytes(v as Uint8Array | null);
    return;
  }
  if (flexible) w.uvarint(v.length + 1);
  else w.int32(v.length);
  for (const part of v.parts) w.raw(part);
}

/**
 * Several record batches as one records field, without copying them into one buffer: a Fetch
 * response hands the log's stored batches to the encoder as they are. It is a Buffer to the type
 * system (records fields are typed Buffer) and only its `length` is meaningful as one; the
 * encoder writes `parts` in order.
 *
 * @example
 * const records = RecordSegments.of(batches.map((b) => b.bytes));
 * encodeResponseChunks(API.Fetch, 12, correlationId, { ...response, records });
 */
export class RecordSegments {
  readonly parts: readonly Uint8Array[];
  readonly length: number;
  private constructor(parts: readonly Uint8Array[]) {
    this.parts = parts;
    this.length = parts.reduce((n, p) => n + p.length, 0);
  }

  /** The segments, typed as the records field's Buffer so a response body can carry them. */
  static of(parts: readonly Uint8Array[]): Buffer {
    return new RecordSegments(parts) as unknown as Buffer;
  }
}

function checkNull(v: unknown, nullable: boolean, name: string): unknown {
  if (v === null && !nullable)
    throw new TributaryError('INVALID_REQUEST', `Field ${name} cannot be null in this version`);
  return v;
}

function typeCodec(type: TypeDef, version: number, flexible: boolean, nullable: boolean, name: string): Codec {
  if (type.kind === 'primitive') return primitiveCodec(type.p, flexible, nullable, name);
  if (type.kind === 'struct') {
    const s = compileStruct(type.fields, version, flexible);
    if (!nullable) return s;
    return {
      read(r) {
        return r.int8() < 0 ? null : s.read(r);
      },
      write(w, v) {
        if (v === null) w.int8(-1);
        else {
          w.int8(1);
          s.write(w, v);
        }
      },
      min: 1,
    };
  }
  const elem = typeCodec(type.of, version, flexible, false, name);
  const min = elem.min;
  return {
    read(r) {
      const n = r.arrayLength(flexible, nullable, min);
      if (n < 0) return null;
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = elem.read(r);
      return out;
    },
    write(w, v) {
      const a = checkNull(v, nullable, name) as unknown[] | null;
      if (a === null) {
        w.arrayLength(null, flexible);
        return;
      }
      w.arrayLength(a.length, flexible);
      for (let i = 0; i < a.length; i++) elem.write(w, a[i]);
    },
    min: flexible ? 1 : 4,
  };
}

/** A fresh default value for a field (fresh, so that a caller may mutate what it decoded). */
function defaultOf(fd: AnyField): unknown {
  if (fd.default !== undefined) return fd.default;
  if (fd.nullable.lo <= fd.nullable.hi) return null;
  return defaultOfType(fd.type);
}

function defaultOfType(type: TypeDef): unknown {
  if (type.kind === 'array') return [];
  if (type.kind === 'struct') {
    const o: Record<string, unknown> = {};
    for (const fd of type.fields) o[fd.name] = defaultOf(fd);
    return o;
  }
  switch (type.p) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
    case 'records':
      return EMPTY;
    default:
      return 0;
  }
}

interface Entry {
  readonly name: string;
  /** 0: absent in this version, 1: regular, 2: tagged. */
  readonly mode: 0 | 1 | 2;
  readonly tag: number;
  readonly codec: Codec | undefined;
  readonly field: AnyField;
  /** For tagged fields: the encoding of the default, to leave equal values out. */
  readonly defaultBytes: Buffer | undefined;
  /** A constant default (scalars), or undefined when one must be built per use. */
  readonly constDefault: unknown;
  /**
   * A frozen struct of scalars seen to encode as the default (a handler's shared "none" value):
   * left out by identity, without encoding it again. It cannot change, so the check stays true.
   */
  knownDefault?: unknown;
}

function compileStruct(fields: readonly AnyField[], version: number, flexible: boolean): Codec {
  const entries: Entry[] = fields.map((fd) => {
    const present = within(fd.versions, version);
    const isTagged = present && fd.tag !== undefined && within(fd.tagged, version);
    const codec = present ? typeCodec(fd.type, version, flexible, within(fd.nullable, version), fd.name) : undefined;
    const def = defaultOf(fd);
    let defaultBytes: Buffer | undefined;
    if (isTagged && codec) {
      const w = new Writer(32);
      codec.write(w, def);
      defaultBytes = Buffer.from(w.finish());
    }
    return {
      name: fd.name,
      mode: !present ? 0 : isTagged ? 2 : 1,
      tag: fd.tag ?? -1,
      codec,
      field: fd,
      defaultBytes,
      constDefault: def === null || typeof def !== 'object' || Buffer.isBuffer(def) ? def : undefined,
    };
  });
  const regular = entries.filter((e) => e.mode === 1);
  const tagged = entries.filter((e) => e.mode === 2).sort((a, b) => a.tag - b.tag);
  const byTag = new Map<number, Entry>(tagged.map((e) => [e.tag, e]));
  let min = 0;
  for (const e of regular) min += e.codec!.min;
  if (flexible) min += 1;

  const fill = (i: number): unknown => {
    const e = entries[i]!;
    return e.constDefault !== undefined ? e.constDefault : defaultOf(e.field);
  };
  const codecs = entries.map((e) => e.codec);

  // Why generated code: a decoded object built by one object literal has one hidden class and is
  // filled by monomorphic stores; the same object built by `o[name] = …` in a loop goes through a
  // megamorphic keyed store per field, which made Produce decoding several times slower. The source
  // is made only of indexes and the field names the message files declare (identifiers, checked by
  // `field()`, and quoted with JSON.stringify all the same).
  const props = entries.map(
    (e, i) => `${JSON.stringify(e.name)}: ${e.mode === 1 ? `c[${i}].read(r)` : (literal(e.constDefault) ?? `f(${i})`)}`,
  );
  const readBody = `return function read(r) { const o = { ${props.join(', ')} };${flexible ? ' rt(r, o, t);' : ''} return o; };`;
  const writes = entries.map((e, i) =>
    e.mode === 1 ? `x = o[${JSON.stringify(e.name)}]; c[${i}].write(w, x === undefined ? f(${i}) : x);` : '',
  );
  const writeBody = `return function write(w, o) { let x; ${writes.join(' ')}${flexible ? ' wt(w, o, g);' : ''} };`;
  const read = new Function('c', 'f', 'rt', 't', readBody)(codecs, fill, readTagged, byTag) as Codec['read'];
  const write = new Function('c', 'f', 'wt', 'g', writeBody)(codecs, fill, writeTagged, tagged) as Codec['write'];
  return { min, read, write };
}

/** Source for a default that is a literal (numbers, booleans, null, strings), else undefined. */
function literal(v: unknown): string | undefined {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return undefined;
}

function readTagged(r: Reader, o: Record<string, unknown>, byTag: Map<number, Entry>): void {
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    // Kafka writes tags in ascending order but its own readers do not insist; neither does this one.
    const tag = r.uvarint();
    const size = r.uvarint();
    if (size > r.remaining) throw corrupt(`Tagged field ${tag} of ${size} bytes exceeds the ${r.remaining} bytes left`);
    const e = byTag.get(tag);
    if (e === undefined) {
      r.skip(size);
      continue;
    }
    const end = r.end;
    const stop = r.pos + size;
    r.end = stop;
    o[e.name] = e.codec!.read(r);
    if (r.pos !== stop)
      throw corrupt(`Tagged field ${tag} declared ${size} bytes but its value took ${r.pos - (stop - size)}`);
    r.end = end;
  }
}

/** A frozen plain object whose own values are all scalars: nothing in it can change. */
function isFrozenScalars(x: unknown): boolean {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || !Object.isFrozen(x)) return false;
  for (const v of Object.values(x)) if (v !== null && typeof v === 'object') return false;
  return true;
}

function writeTagged(w: Writer, o: Record<string, unknown>, tagged: readonly Entry[]): void {
  if (tagged.length === 0) {
    w.uvarint(0);
    return;
  }
  let parts: [number, Buffer][] | undefined;
  for (const e of tagged) {
    const x = o[e.name];
    if (x === undefined || x === e.constDefault || (x === e.knownDefault && x !== undefined)) continue;
    if (Array.isArray(x) && x.length === 0 && Array.isArray(defaultOf(e.field))) continue;
    const sub = new Writer(64);
    e.codec!.write(sub, x);
    const bytes = sub.finish();
    if (bytes.equals(e.defaultBytes!)) {
      if (isFrozenScalars(x)) e.knownDefault = x;
      continue;
    }
    (parts ??= []).push([e.tag, bytes]);
  }
  if (parts === undefined) {
    w.uvarint(0);
    return;
  }
  w.uvarint(parts.length);
  for (const [tag, bytes] of parts) {
    w.uvarint(tag);
    w.uvarint(bytes.length);
    w.raw(bytes);
  }
}

/** The definition of a message: its valid and flexible versions and its fields. */
export interface MessageDef<F extends readonly AnyField[]> {
  readonly valid: string;
  readonly flexible: string;
  readonly fields: F;
}

/**
 * A message schema with its codecs: `encode`/`decode` for whole bodies, `read`/`write` to embed it in
 * a larger frame (the headers do).
 */
export interface MessageSchema<T> {
  readonly valid: VersionRange;
  readonly flexible: VersionRange;
  readonly fields: readonly AnyField[];
  isFlexible(version: number): boolean;
  encode(version: number, value: T | Input<T>): Buffer;
  decode(version: number, bytes: Buffer): T;
  read(version: number, r: Reader): T;
  write(version: number, w: Writer, value: T | Input<T>): void;
}

/** The TypeScript type of a message schema's value. */
export type MessageOf<S> = S extends MessageSchema<infer T> ? T : never;

/**
 * What an encoder accepts for a message of type `T`: the same shape with every field optional, at
 * every depth. A field left out (or `undefined`) is written as its default, as Kafka's own message
 * classes start from their defaults, so a broker need not spell out, say, the tagged fields of a
 * Fetch partition it has nothing to say in. Decoders always return every field.
 *
 * @example
 * const body: Input<HeartbeatResponse> = { errorCode: 27 }; // throttleTimeMs: 0
 */
export type Input<T> = T extends Uint8Array
  ? T
  : T extends readonly (infer E)[]
    ? Input<E>[]
    : T extends object
      ? { [K in keyof T]?: Input<T[K]> }
      : T;

/**
 * Declares a message. Codecs per version are compiled lazily and cached.
 *
 * @example
 * const M = message({ valid: '0-1', flexible: '1+', fields: [f.int32('a', '0+'), f.string('b', '1+')] });
 * M.decode(1, M.encode(1, { a: 1, b: 'x' })); // { a: 1, b: 'x' }
 */
export function message<const F extends readonly AnyField[]>(def: MessageDef<F>): MessageSchema<StructOf<F>> {
  const valid = versions(def.valid);
  const flexible = versions(def.flexible);
  const compiled: Codec[] = [];
  const codecFor = (version: number): Codec => {
    const c = compiled[version];
    if (c !== undefined) return c;
    if (!Number.isInteger(version) || !within(valid, version)) {
      throw new TributaryError('INVALID_REQUEST', `Version ${version} is outside ${def.valid}`);
    }
    const made = compileStruct(def.fields, version, within(flexible, version));
    compiled[version] = made;
    return made;
  };
  return {
    valid,
    flexible,
    fields: def.fields,
    isFlexible: (version) => within(flexible, version),
    encode(version, value) {
      const w = new Writer();
      codecFor(version).write(w, value);
      return w.finish();
    },
    decode(version, bytes) {
      return codecFor(version).read(new Reader(bytes)) as StructOf<F>;
    },
    read(version, r) {
      return codecFor(version).read(r) as StructOf<F>;
    },
    write(version, w, value) {
      codecFor(version).write(w, value);
    },
  };
}
