import { Serdes } from '../../serde/index.ts';
import type { Serde } from '../../serde/index.ts';
import { murmur2 } from '../../protocol/murmur2.ts';
import { toPositive } from '../../protocol/partitioner.ts';
import { Bytes } from '../state/bytes.ts';
import { rawValueOf, timestampedBytes, writeInt64 } from '../state/value-and-timestamp.ts';

const TWO_32 = 4294967296;

/**
 * Faster stand-ins for the built-in String and LongNumber serdes on the hot path, writing exactly
 * the same bytes: short strings are memoized (words, ids and other keys repeat), and longs that
 * are safe integers skip BigInt. Any other serde is returned as it is.
 */
export function fastSerde<T>(serde: Serde<T>): Serde<T> {
  if (serde === (Serdes.String() as unknown)) return fastString as unknown as Serde<T>;
  if (serde === (Serdes.LongNumber() as unknown)) return fastLongNumber as unknown as Serde<T>;
  return serde;
}

/**
 * A memoized string and its bytes; with them Kafka's default partitioning hash of the bytes and
 * the store key made of them, once asked for.
 */
export interface MemoEntry {
  readonly string: string;
  readonly bytes: Uint8Array;
  /** The bytes decode back to the string (not so for a string with a lone surrogate). */
  readonly roundTrips: boolean;
  /** `toPositive(murmur2(bytes))`, or -1 until first asked for. */
  hash: number;
  /** The bytes as a store key, made when a store first asks (see {@link storeKeyOf}). */
  storeKey: Bytes | undefined;
}

const memo = new Map<string, MemoEntry>();
/**
 * The same pairs the other way round, by the identity of the bytes: records a commit hands over to
 * a local task (a repartition topic's) carry the very bytes this serde made, and deserialize to
 * the string they came from without decoding it again.
 */
const strings = new Map<Uint8Array, MemoEntry>();
const MEMO_MAX = 50_000;
/** The last pair each way: a record's key and value are often the same string (grouped by value). */
let lastSerialized: string | undefined;
let lastEntry: MemoEntry | undefined;
let lastDeserializedBytes: Uint8Array | undefined;
let lastDeserialized: string | undefined;
/** The memo entry of the last string deserialized through the memo (undefined after a decode). */
let lastDeserializedEntry: MemoEntry | undefined;
/** Whether the last string deserialized encodes back to exactly the bytes it came from (see {@link decodedExactly}). */
let lastExact = false;

/**
 * Whether the string the String serde's last deserialize returned serializes back to exactly the
 * bytes it was given: true when it came from the memo (a string that round-trips) or from the
 * ASCII decode; false after the general decoder, whose round trip is not relied on. A task's
 * source asks, so its sink may write those bytes again instead of serializing the string (see
 * StreamTask.process).
 */
export function decodedExactly(): boolean {
  return lastExact;
}

/**
 * The memo entry of bytes the String serde just made (its last serialize), when they decode back
 * to the string: a sink hands it along with a record it sends to a repartition topic, so the
 * local task that reads the record next takes the string from it ({@link takeMemoized}) instead of
 * looking the bytes up. Undefined for any other bytes.
 */
export function memoOfSerialized(bytes: Uint8Array): MemoEntry | undefined {
  const entry = lastEntry;
  return entry !== undefined && entry.bytes === bytes && entry.roundTrips ? entry : undefined;
}

/**
 * Kafka's default partitioning hash (`toPositive(murmur2(bytes))`) of a memoized string's bytes,
 * computed once per string.
 */
export function memoHash(entry: MemoEntry): number {
  if (entry.hash < 0) entry.hash = toPositive(murmur2(entry.bytes));
  return entry.hash;
}

/**
 * What the String serde's deserialize gives for `entry.bytes` (the entry came from
 * {@link memoOfSerialized}, so they decode to its string), without the lookup: the entry becomes
 * the last one deserialized, as if the serde had found it.
 */
export function takeMemoized(entry: MemoEntry): string {
  lastExact = true;
  lastDeserializedBytes = entry.bytes;
  lastDeserialized = entry.string;
  lastDeserializedEntry = entry;
  return entry.string;
}

/**
 * The store key (`Bytes`) of a string key when it is the one the String serde last deserialized
 * through its memo: an aggregation downstream of a repartition topic reads and writes the key it
 * was just given, and finds its bytes here without a lookup. Undefined otherwise.
 */
export function storeKeyOf(key: string): Bytes | undefined {
  const entry = lastDeserializedEntry;
  if (entry === undefined || entry.string !== key) return undefined;
  if (entry.storeKey === undefined) entry.storeKey = new Bytes(entry.bytes);
  return entry.storeKey;
}

/** The fast String serde ({@link fastSerde} of `Serdes.String()`). */
export function isFastString(serde: Serde<unknown>): boolean {
  return serde === (fastString as Serde<unknown>);
}

const fastString: Serde<string> = {
  serialize(topic, value) {
    if (value === lastSerialized && lastEntry !== undefined) return lastEntry.bytes;
    if (typeof value !== 'string' || value.length > 64) return Serdes.String().serialize(topic, value);
    let entry = memo.get(value);
    if (entry === undefined) {
      const bytes = Serdes.String().serialize(topic, value)!;
      if (memo.size >= MEMO_MAX) {
        memo.clear();
        strings.clear();
      }
      // Not a string with a lone surrogate: its bytes decode to U+FFFD, not back to it.
      const roundTrips = Serdes.String().deserialize(topic, bytes) === value;
      entry = { string: value, bytes, roundTrips, hash: -1, storeKey: undefined };
      memo.set(value, entry);
      if (roundTrips) strings.set(bytes, entry);
    }
    lastSerialized = value;
    lastEntry = entry;
    return entry.bytes;
  },
  deserialize(topic, data) {
    if (data === null) return null;
    if (data === lastDeserializedBytes) {
      lastExact = true;
      return lastDeserialized!;
    }
    const known = strings.get(data);
    if (known !== undefined) return takeMemoized(known);
    if (data.length <= 24) {
      for (let i = 0; i < data.length; i++) {
        if (data[i]! > 0x7f) {
          lastExact = false;
          return Serdes.String().deserialize(topic, data);
        }
      }
      lastExact = true;
      return shortAscii(data);
    }
    lastExact = false;
    return Serdes.String().deserialize(topic, data);
  },
};

/**
 * The string of up to 24 ASCII bytes, made in one allocation up to 14 (one `fromCharCode` of as
 * many arguments: a micro-benchmark of 9-byte keys took 46–52 ns against 122–142 ns for appending
 * the characters one by one, each append a new string).
 */
function shortAscii(d: Uint8Array): string {
  const f = String.fromCharCode;
  switch (d.length) {
    case 0:
      return '';
    case 1:
      return f(d[0]!);
    case 2:
      return f(d[0]!, d[1]!);
    case 3:
      return f(d[0]!, d[1]!, d[2]!);
    case 4:
      return f(d[0]!, d[1]!, d[2]!, d[3]!);
    case 5:
      return f(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!);
    case 6:
      return f(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!);
    case 7:
      return f(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!);
    case 8:
      return f(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!);
    case 9:
      return f(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!);
    case 10:
      return f(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!);
    case 11:
      return f(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!, d[10]!);
    case 12:
      return f(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!, d[10]!, d[11]!);
    case 13:
      return f(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!, d[10]!, d[11]!, d[12]!);
    case 14:
      return f(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!, d[10]!, d[11]!, d[12]!, d[13]!);
    default: {
      let out = '';
      for (let i = 0; i < d.length; i++) out += f(d[i]!);
      return out;
    }
  }
}

/** Small counts repeat endlessly: their 8 bytes are made once (callers never mutate serialized bytes). */
const smallLongs: Uint8Array[] = [];

const fastLongNumber: Serde<number> = {
  serialize(topic, value) {
    if (value === null || !Number.isSafeInteger(value)) return Serdes.LongNumber().serialize(topic, value);
    if (value >= 0 && value < 65536) {
      const cached = smallLongs[value];
      if (cached !== undefined) return cached;
    }
    const out = new Uint8Array(8);
    const hi = Math.floor(value / TWO_32);
    const lo = value - hi * TWO_32;
    out[0] = hi >>> 24;
    out[1] = (hi >>> 16) & 0xff;
    out[2] = (hi >>> 8) & 0xff;
    out[3] = hi & 0xff;
    out[4] = lo >>> 24;
    out[5] = (lo >>> 16) & 0xff;
    out[6] = (lo >>> 8) & 0xff;
    out[7] = lo & 0xff;
    if (value >= 0 && value < 65536) smallLongs[value] = out;
    return out;
  },
  deserialize(topic, data) {
    if (data === null || data.length !== 8) return Serdes.LongNumber().deserialize(topic, data);
    const hi = (data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!;
    if (hi > 0x1fffff || hi < -0x200000) return Serdes.LongNumber().deserialize(topic, data);
    const value = hi * TWO_32 + ((data[4]! << 24) >>> 0) + ((data[5]! << 16) | (data[6]! << 8) | data[7]!);
    // -2^53 passes the check on the high half but is not a safe integer: LongNumber refuses it.
    return value >= Number.MIN_SAFE_INTEGER ? value : Serdes.LongNumber().deserialize(topic, data);
  },
};

/**
 * A LongNumber with its timestamp as a timestamped store keeps it (the count under every KTable
 * count): 16 bytes in Kafka's `ValueAndTimestampSerializer` layout, the timestamp then the long,
 * both big-endian int64, written at once instead of serializing the long and copying it behind
 * the timestamp. Anything LongNumber refuses goes through it, to fail as it does.
 */
export function timestampedLongBytes(value: number, timestamp: number): Uint8Array {
  if (!Number.isSafeInteger(value)) return timestampedBytes(timestamp, Serdes.LongNumber().serialize('', value)!);
  const out = new Uint8Array(16);
  writeInt64(out, 0, timestamp);
  writeInt64(out, 8, value);
  return out;
}

/**
 * Writes what {@link timestampedLongBytes} makes into 16 bytes the caller owns. False, with nothing
 * written, for a value LongNumber refuses (the caller then goes through timestampedLongBytes).
 */
export function writeTimestampedLong(into: Uint8Array, value: number, timestamp: number): boolean {
  if (!Number.isSafeInteger(value)) return false;
  writeInt64(into, 0, timestamp);
  writeInt64(into, 8, value);
  return true;
}

/**
 * The long of a value in {@link timestampedLongBytes} layout, read in place (no view of the value's
 * 8 bytes made per read). Bytes LongNumber would refuse go through it, to fail as it does.
 */
export function longOfTimestamped(bytes: Uint8Array): number {
  if (bytes.length === 16) {
    const hi = (bytes[8]! << 24) | (bytes[9]! << 16) | (bytes[10]! << 8) | bytes[11]!;
    if (hi <= 0x1fffff && hi >= -0x200000) {
      const value = hi * TWO_32 + ((bytes[12]! << 24) >>> 0) + ((bytes[13]! << 16) | (bytes[14]! << 8) | bytes[15]!);
      if (value >= Number.MIN_SAFE_INTEGER) return value;
    }
  }
  return Serdes.LongNumber().deserialize('', rawValueOf(bytes))!;
}
