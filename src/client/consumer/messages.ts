/**
 * Stored record batches decoded straight into kafkajs's messages, as kafkajs's fetch decodes a
 * Fetch response: one pass over each batch's records builds the `KafkaMessage` objects the
 * program gets, without the log's own record objects in between. Keys, values and header values
 * are `Buffer` views into the batch's bytes, as the log's reads give them.
 *
 * Read committed: the batches come with the aborted transactions that may touch them (Kafka's
 * `abortedTransactions` of a Fetch response), and a transactional batch of a producer whose
 * transaction is aborted is dropped until that producer's ABORT marker, as Kafka's consumer does.
 *
 * Anything malformed is decoded again by the log's decoder ({@link decodeRecordBatch}), which
 * throws its `CORRUPT_MESSAGE` naming the partition and batch: the errors are the log's, word for
 * word, and this file holds no second copy of them.
 *
 * @example
 * const out = new FetchedMessages();
 * for (const batch of await log.readBatches('orders', 0, 42)) decodeInto(out, batch.bytes, 42, aborted, context);
 * out.messages[0].offset; // '42'
 */
import { decodeControlRecord } from '../../protocol/control-record.ts';
import { crc32c } from '../../protocol/crc32c.ts';
import {
  type BatchContext,
  type BatchHeader,
  bufferView,
  decodeRecordBatch,
  RECORD_BATCH_OVERHEAD,
  readBatchHeader,
} from '../../protocol/record-batch.ts';
import { readVarlong } from '../../protocol/varint.ts';
import { toKafkaMessage } from '../convert.ts';
import type { IHeaders, KafkaMessage } from '../types.ts';

/**
 * An empty array whose elements are objects from the start. Why: an array made by `[]` starts out
 * holding small integers, and the first object pushed changes its hidden class; the optimized
 * decoder, which saw arrays of either class, then deoptimizes and recompiles again and again (a
 * fetch's first push does it every time).
 */
function objectArray<T>(): T[] {
  const a: T[] = [null as T];
  a.length = 0;
  return a;
}

/** An empty array of numbers that holds doubles from the start, for the same reason as {@link objectArray}. */
function doubleArray(): number[] {
  const a = [0.5];
  a.length = 0;
  return a;
}

/** An aborted transaction as a Fetch response lists it: its producer and first offset. */
export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

/** The messages of one fetch, their offsets as numbers, and where the next fetch starts. */
export class FetchedMessages {
  readonly messages: KafkaMessage[] = objectArray();
  /** `offsets[i]` is `messages[i].offset` as a number (the program may change the message). */
  readonly offsets: number[] = doubleArray();
  /** Past the last batch decoded, control and aborted batches included. */
  nextOffset: number;
  /** The partition's high watermark when it was read. */
  highWatermark = 0;
  /** Aborted transactions not reached yet, by first offset. */
  readonly #pending: AbortedTransaction[];
  /** Producers inside an aborted transaction at the batch being decoded. */
  readonly #aborting = new Set<number>();

  constructor(from: number, aborted: readonly AbortedTransaction[] = []) {
    this.nextOffset = from;
    this.#pending = aborted.length === 0 ? [] : [...aborted].sort((a, b) => b.firstOffset - a.firstOffset);
  }

  /**
   * Decodes one stored batch: its messages at or past `from` are added, unless it is a control
   * batch or belongs to an aborted transaction.
   */
  add(bytes: Uint8Array, from: number, context: BatchContext): void {
    const header = readBatchHeader(bytes, context);
    if (header.lastOffset + 1 > this.nextOffset) this.nextOffset = header.lastOffset + 1;
    const pending = this.#pending;
    while (pending.length > 0 && pending[pending.length - 1]!.firstOffset <= header.lastOffset)
      this.#aborting.add(pending.pop()!.producerId);
    if (header.isControl) {
      if (this.#aborting.size > 0) {
        const marker = decodeRecordBatch(bytes, { context }).records[0];
        if (marker !== undefined && decodeControlRecord(marker).type === 'ABORT')
          this.#aborting.delete(header.producerId);
      }
      return;
    }
    if (header.isTransactional && this.#aborting.has(header.producerId)) return;
    if (
      header.compression !== 'none' ||
      header.timestampType === 'LogAppendTime' ||
      !decodeFast(this, bytes, from, header)
    ) {
      // Compressed or unusual batches, and anything malformed, go through the log's decoder
      // (which throws the error naming the batch when the bytes are bad).
      this.#addSlowly(bytes, from, context);
    }
  }

  #addSlowly(bytes: Uint8Array, from: number, context: BatchContext): void {
    const { messages, offsets } = this;
    for (const record of decodeRecordBatch(bytes, { context }).records) {
      if (record.offset < from) continue;
      messages.push(toKafkaMessage(record));
      offsets.push(record.offset);
    }
  }
}

// The decoder's position in the batch being decoded (decoding is synchronous).
let pos = 0;
// Set when the bytes are malformed; the batch is then decoded again by the log's decoder.
let bad = false;
const cursor = { offset: 0 };

function varint(src: Uint8Array, limit: number): number {
  let raw = 0;
  let shift = 0;
  for (;;) {
    if (pos >= limit || shift > 28) {
      bad = true;
      return -2;
    }
    const b = src[pos++]!;
    raw |= (b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
  }
  return (raw >>> 1) ^ -(raw & 1);
}

function bytesAt(src: Uint8Array, limit: number): Buffer | null | undefined {
  const length = varint(src, limit);
  if (length < 0) {
    if (length === -1) return null;
    bad = true;
    return undefined;
  }
  const start = pos;
  pos = start + length;
  if (pos > limit) {
    bad = true;
    return undefined;
  }
  return bufferView(src.buffer, src.byteOffset + start, length);
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** 0–999 as three digits, zero-padded: the last three digits of an offset. */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** The thousands of the last offset {@link offsetString} made, and their digits. */
let thousands = -1;
let thousandsDigits = '';

/**
 * `String(offset)` for a safe integer offset ≥ 0, made of its thousands' digits (kept from the last
 * call: a batch's offsets share them) and its last three from a table: 24 ns against 34–69 ns for
 * `String` in a micro-benchmark of consecutive offsets. Exported for its test.
 */
export function offsetString(offset: number): string {
  if (offset < 1000) return String(offset);
  // Exact below 2^53: offset / 1000 is off by less than half its ulp (under 0.0005), and a
  // quotient's fraction is a multiple of 0.001, so the floor is the true one and `rest` is 0–999.
  const t = Math.floor(offset / 1000);
  const rest = offset - t * 1000;
  if (t !== thousands) {
    thousands = t;
    thousandsDigits = String(t);
  }
  return thousandsDigits + THREE_DIGITS[rest]!;
}

function headersAt(src: Uint8Array, limit: number, count: number): IHeaders {
  const out: IHeaders = {};
  if (count < 0 || count > (limit - pos) / 2) {
    bad = true;
    return out;
  }
  for (let h = 0; h < count; h++) {
    const keyLength = varint(src, limit);
    const start = pos;
    pos = start + keyLength;
    if (keyLength < 0 || pos > limit) {
      bad = true;
      return out;
    }
    const key = utf8.decode(src.subarray(start, pos));
    const value = bytesAt(src, limit);
    if (value === undefined) return out;
    // As kafkajs: a repeated key becomes an array; a null value reads as an empty Buffer here, as
    // the log's records give it to the clients.
    const v = value ?? Buffer.alloc(0);
    const existing = out[key];
    if (existing === undefined) out[key] = v;
    else if (Array.isArray(existing)) existing.push(v);
    else out[key] = [existing, v];
  }
  return out;
}

const MIN_RECORD_SIZE = 7;

type PlainMessageConstructor = new (
  key: Buffer | null,
  value: Buffer | null,
  timestamp: string,
  offset: string,
  headers: IHeaders,
) => KafkaMessage;

/**
 * Makes kafkajs's message: a plain object (its prototype is `Object.prototype`, as a literal's),
 * with the properties of convert.ts's `toKafkaMessage` in the same order. Why a constructor and not
 * a literal: V8 tracks each object literal's site, and when a site's objects mostly survive a
 * scavenge (a fetch's messages live until its handler returns) it allocates them in the old
 * generation from then on, which then needs Mark-Compacts every ~150 ms; objects made by `new` are
 * not tracked so.
 */
function PlainMessage(
  this: KafkaMessage,
  key: Buffer | null,
  value: Buffer | null,
  timestamp: string,
  offset: string,
  headers: IHeaders,
): void {
  this.key = key;
  this.value = value;
  this.timestamp = timestamp;
  this.magicByte = 2;
  this.attributes = 0;
  this.offset = offset;
  this.headers = headers;
}
PlainMessage.prototype = Object.prototype;

/** A message's empty headers: a plain `{}`, made by `new` for the same reason as {@link PlainMessage}. */
function NoHeaders(): void {}
NoHeaders.prototype = Object.prototype;
const ATTRIBUTES_OFFSET = 21;

/**
 * One pass over an uncompressed CreateTime batch's records, with the checks of the log's decoder.
 * False when something does not hold (nothing is added then; the caller decodes the batch again
 * with the log's decoder, which throws the error naming it).
 *
 * The position is a local, and varints of one or two bytes (every length, delta and count of
 * records up to 8 KiB) are read inline; longer ones go through {@link varint}.
 */
function decodeFast(out: FetchedMessages, src: Uint8Array, from: number, header: BatchHeader): boolean {
  const size = header.sizeInBytes;
  if (crc32c(src.subarray(ATTRIBUTES_OFFSET, size)) !== header.crc) return false;
  const count = header.recordCount;
  const limit = size;
  if (count > (limit - RECORD_BATCH_OVERHEAD) / MIN_RECORD_SIZE) return false;
  const { baseOffset, baseTimestamp } = header;
  const { messages, offsets } = out;
  const before = messages.length;
  const buffer = src.buffer;
  const base = src.byteOffset;
  bad = false;
  let p = RECORD_BATCH_OVERHEAD;
  // Records of one batch mostly share their timestamp: its string is made once.
  let lastTimestamp = Number.NaN;
  let timestampString = '';
  let ok = true;
  if (count === 0) return limit === RECORD_BATCH_OVERHEAD;
  const lastIndex = count - 1;
  for (let i = 0; i < count; i++) {
    // Record length.
    let raw: number;
    let b = p < limit ? src[p]! : 0x100;
    if (b < 0x80) {
      raw = b;
      p++;
    } else if (b < 0x100 && p + 1 < limit && src[p + 1]! < 0x80) {
      raw = (b & 0x7f) | (src[p + 1]! << 7);
      p += 2;
    } else {
      pos = p;
      raw = varint(src, limit);
      p = pos;
      if (bad) {
        ok = false;
        break;
      }
      raw = (raw << 1) ^ (raw >> 31); // back to the raw form, decoded below like the others
    }
    const bodySize = (raw >>> 1) ^ -(raw & 1);
    const recordEnd = p + bodySize;
    if (bodySize < MIN_RECORD_SIZE - 1 || recordEnd > limit) {
      ok = false;
      break;
    }
    p++; // attributes: unused in v2
    // Timestamp delta (a varlong).
    b = src[p]!;
    let timestampDelta: number;
    if (b < 0x80) {
      timestampDelta = (b >>> 1) ^ -(b & 1);
      p++;
    } else {
      cursor.offset = p;
      try {
        timestampDelta = readVarlong(src, cursor, recordEnd);
      } catch {
        ok = false;
        break;
      }
      p = cursor.offset;
    }
    // Offset delta.
    b = p < recordEnd ? src[p]! : 0x100;
    if (b < 0x80) {
      raw = b;
      p++;
    } else if (b < 0x100 && p + 1 < recordEnd && src[p + 1]! < 0x80) {
      raw = (b & 0x7f) | (src[p + 1]! << 7);
      p += 2;
    } else {
      pos = p;
      const v = varint(src, recordEnd);
      p = pos;
      if (bad || v < 0) {
        ok = false;
        break;
      }
      raw = v << 1;
    }
    const offsetDelta = (raw >>> 1) ^ -(raw & 1);
    if (offsetDelta < 0) {
      ok = false;
      break;
    }
    // Key and value: a length (-1 for null) and the bytes.
    pos = p;
    const key = bytesAt(src, recordEnd);
    if (bad) {
      ok = false;
      break;
    }
    p = pos;
    let value: Buffer | null;
    b = p < recordEnd ? src[p]! : 0x100;
    let length: number;
    if (b < 0x80) {
      length = (b >>> 1) ^ -(b & 1);
      p++;
    } else if (b < 0x100 && p + 1 < recordEnd && src[p + 1]! < 0x80) {
      raw = (b & 0x7f) | (src[p + 1]! << 7);
      length = (raw >>> 1) ^ -(raw & 1);
      p += 2;
    } else {
      pos = p;
      length = varint(src, recordEnd);
      p = pos;
      if (bad) {
        ok = false;
        break;
      }
    }
    if (length >= 0) {
      if (p + length > recordEnd) {
        ok = false;
        break;
      }
      value = bufferView(buffer, base + p, length);
      p += length;
    } else if (length === -1) {
      value = null;
    } else {
      ok = false;
      break;
    }
    // Headers.
    let headers: IHeaders;
    b = p < recordEnd ? src[p]! : 0x100;
    if (b === 0) {
      p++;
      headers = new (NoHeaders as unknown as new () => IHeaders)();
    } else {
      pos = p;
      const headerCount = varint(src, recordEnd);
      headers = bad ? {} : headersAt(src, recordEnd, headerCount);
      p = pos;
      if (bad) {
        ok = false;
        break;
      }
    }
    if (p !== recordEnd || (i === lastIndex && p !== limit)) {
      ok = false;
      break;
    }
    const timestamp = baseTimestamp + timestampDelta;
    const offset = baseOffset + offsetDelta;
    if (
      timestamp > Number.MAX_SAFE_INTEGER ||
      timestamp < -Number.MAX_SAFE_INTEGER ||
      offset > Number.MAX_SAFE_INTEGER
    ) {
      ok = false;
      break;
    }
    if (offset < from) continue;
    if (timestamp !== lastTimestamp) {
      lastTimestamp = timestamp;
      timestampString = String(timestamp);
    }
    messages.push(
      new (PlainMessage as unknown as PlainMessageConstructor)(
        key as Buffer | null,
        value,
        timestampString,
        offsetString(offset),
        headers,
      ),
    );
    offsets.push(offset);
  }
  // No comparison here, only a boolean test: V8 compiles this loop on the stack (OSR) during a
  // first call that has not reached this point yet, and code after the loop that compares with no
  // type feedback then deoptimizes at the end of every later call (the OSR code is kept), which
  // left decoding in the interpreter for most of a consumer's first million records.
  if (!ok) {
    messages.length = before;
    offsets.length = before;
    return false;
  }
  return true;
}
