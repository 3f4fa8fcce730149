/**
 * Kafka RecordBatch v2 (magic 2), the unit the log stores: one batch per LevelDB value.
 *
 * ```
 * offset  field                 type     notes
 *      0  baseOffset            int64    outside the CRC: the log assigns it at append
 *      8  batchLength           int32    bytes after this field: sizeInBytes - 12
 *     12  partitionLeaderEpoch  int32
 *     16  magic                 int8     2
 *     17  crc                   uint32   CRC-32C of bytes 21..end
 *     21  attributes            int16    bits 0-2 codec, 3 timestampType, 4 transactional,
 *                                        5 control, 6 hasDeleteHorizonMs
 *     23  lastOffsetDelta       int32
 *     27  baseTimestamp         int64    first record's timestamp, or the delete horizon
 *     35  maxTimestamp          int64
 *     43  producerId            int64
 *     51  producerEpoch         int16
 *     53  baseSequence          int32
 *     57  recordsCount          int32
 *     61  records               compressed as one stream when the codec is not none
 *
 * Record: length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
 *         keyLength varint (-1 = null), key, valueLength varint (-1 = null), value,
 *         headersCount varint, headers
 * Header: keyLength varint, key (UTF-8), valueLength varint (-1 = null), value
 * ```
 *
 * Numbers that are int64 on the wire are JS numbers here; writing one that is not a safe integer
 * throws `INVALID_RECORD`, reading one outside the safe range throws `CORRUPT_MESSAGE`.
 */

import { TributaryError } from '../errors.ts';
import {
  type CompressionCodec,
  compressionCodecFromId,
  compressionCodecId,
  compressRecords,
  decompressRecords,
} from './compression.ts';
import { TimeSlice } from '../time-slice.ts';
import { crc32c } from './crc32c.ts';
import {
  type Cursor,
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
} from './varint.ts';

/** A record header: a UTF-8 string key and a nullable byte value, as in Kafka. */
export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

/** Kafka's timestamp types: set by the producer, or by the log when it appends. */
export type TimestampType = 'CreateTime' | 'LogAppendTime';

/**
 * One record to encode.
 *
 * @example
 * const record: RecordInput = { key: Buffer.from('k'), value: Buffer.from('v'), timestamp: Date.now() };
 */
export interface RecordInput {
  key: Uint8Array | null;
  value: Uint8Array | null;
  /** Milliseconds since the epoch (any safe integer; -1 is Kafka's "no timestamp"). */
  timestamp: number;
  headers?: readonly RecordHeader[];
  /**
   * Offset relative to the batch's base offset. Leave it out for fresh records: it is the previous
   * record's plus one (0 for the first). Give it when re-encoding a compacted batch whose surviving
   * records keep their original offsets; deltas must increase strictly.
   */
  offsetDelta?: number;
}

/**
 * A batch to encode.
 *
 * @example
 * const input: BatchInput = { baseOffset: 0, records: [{ key: null, value: Buffer.from('hi'), timestamp: 0 }] };
 */
export interface BatchInput {
  /** Offset of the first record; 0 when the log will assign it later with {@link setBaseOffset}. */
  baseOffset: number;
  records: readonly RecordInput[];
  /** Default -1 (no epoch). */
  partitionLeaderEpoch?: number;
  /** Default -1 (not idempotent). */
  producerId?: number;
  /** Default -1. */
  producerEpoch?: number;
  /** Sequence number of the first record; default -1. */
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  /** Default `'none'`; snappy, lz4 and zstd throw `UNSUPPORTED_COMPRESSION_TYPE`. */
  compression?: CompressionCodec;
  /** Default `'CreateTime'`. */
  timestampType?: TimestampType;
  /**
   * With `'LogAppendTime'`: the append time, written as maxTimestamp and read back as every
   * record's timestamp. Default: the largest record timestamp.
   */
  logAppendTime?: number;
  /** Keeps a compacted batch's original last offset; default the last record's offsetDelta. */
  lastOffsetDelta?: number;
  /**
   * The timestamp of records that come without one (`timestamp` undefined), so a caller that
   * stamps records with the append time need not copy them first.
   */
  defaultTimestamp?: number;
  /**
   * Compaction's delete horizon: sets attribute bit 6 and is written as baseTimestamp, record
   * timestamps being stored relative to it, as Kafka does.
   */
  deleteHorizonMs?: number;
}

/**
 * The fixed 61-byte header of a batch, decoded, plus what follows from it.
 *
 * @example
 * const { baseOffset, lastOffset, maxTimestamp, sizeInBytes } = readBatchHeader(bytes);
 */
export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  /** The stored CRC-32C, unsigned. */
  crc: number;
  attributes: number;
  compression: CompressionCodec;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  /** When true, baseTimestamp is compaction's delete horizon. */
  hasDeleteHorizon: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** baseOffset + lastOffsetDelta. */
  lastOffset: number;
  /** The batch's bytes on disk: batchLength + 12. */
  sizeInBytes: number;
}

/**
 * A decoded record. `key`, `value` and header values are `Buffer` views into the batch's bytes (or
 * into the decompressed records), not copies: copy them before the batch buffer is reused.
 */
export interface DecodedRecord {
  offset: number;
  /** With LogAppendTime batches, the batch's maxTimestamp, as Kafka reads it. */
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  /** A shared frozen empty array when the record has no headers. */
  headers: readonly RecordHeader[];
}

/** A decoded batch: its header and its records. */
export interface DecodedBatch extends BatchHeader {
  records: DecodedRecord[];
}

/** Where a batch lives, so that an error about it names the place. */
export interface BatchContext {
  topic?: string;
  partition?: number;
}

/**
 * Options of {@link decodeRecordBatch}.
 *
 * @example
 * decodeRecordBatch(bytes, { verifyCrc: false, context: { topic: 'orders', partition: 0 } });
 */
export interface DecodeOptions {
  /** Check the CRC-32C before decoding; default true. */
  verifyCrc?: boolean;
  /** Named in errors, with the batch's base offset. */
  context?: BatchContext;
}

/**
 * Bytes of a batch before its first record: the header, record count included.
 *
 * @example
 * const maxRecordsBytes = maxMessageBytes - RECORD_BATCH_OVERHEAD;
 */
export const RECORD_BATCH_OVERHEAD = 61;

/**
 * The most bytes a record adds to a batch beyond its key, value and headers: length (5),
 * attributes (1), timestampDelta (10) and offsetDelta (5), as Kafka's `MAX_RECORD_OVERHEAD`.
 *
 * @example
 * const bound = RECORD_BATCH_OVERHEAD + records.length * MAX_RECORD_OVERHEAD + payloadBytes;
 */
export const MAX_RECORD_OVERHEAD = 21;

const MAGIC = 2;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
const MAX_TIMESTAMP_OFFSET = 35;
const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;
const DELETE_HORIZON_BIT = 0x40;
// Smallest record: length, attributes, timestampDelta, offsetDelta, keyLength, valueLength and
// headersCount, one byte each.
const MIN_RECORD_SIZE = 7;
const TWO_POW_32 = 4294967296;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const EMPTY_HEADERS: readonly RecordHeader[] = Object.freeze([]);

type BufferViewConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer;

// Keys and values are Buffer views. `subarray` on a Buffer finds its class through
// Symbol.species on every call, which costs about as much as the rest of a record's decoding;
// constructing node's Buffer class (what Buffer[Symbol.species] returns) directly does not.
const BufferView: BufferViewConstructor = pickBufferView();

/**
 * A `Buffer` over `length` bytes of `buffer` from `byteOffset`, without a copy: the view the
 * decoder makes of keys and values, for other decoders of record batches.
 *
 * @example
 * const value = bufferView(batch.buffer, batch.byteOffset + 70, 100);
 */
export function bufferView(buffer: ArrayBufferLike, byteOffset: number, length: number): Buffer {
  return new BufferView(buffer, byteOffset, length);
}

function pickBufferView(): BufferViewConstructor {
  const species = (Buffer as unknown as Record<symbol, unknown>)[Symbol.species];
  if (typeof species === 'function') {
    try {
      const ctor = species as BufferViewConstructor;
      if (Buffer.isBuffer(new ctor(new ArrayBuffer(1), 0, 1))) return ctor;
    } catch {
      // fall through to the portable form
    }
  }
  return class {
    constructor(buffer: ArrayBufferLike, byteOffset: number, length: number) {
      // biome-ignore lint/correctness/noConstructorReturn: a factory shaped like a constructor
      return Buffer.from(buffer as ArrayBuffer, byteOffset, length);
    }
  } as unknown as BufferViewConstructor;
}

const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

// Record body sizes from the sizing pass, reused by the writing pass. Encoding is synchronous, so
// one buffer per module is safe and saves an allocation per batch.
let bodySizes = new Int32Array(1024);

/**
 * Encodes a batch: sizes every record first, allocates once (plus the compressed copy when
 * compressing), writes, and computes the CRC last. The result is a `Buffer`.
 *
 * Throws `INVALID_RECORD` for numbers out of range (offsets, timestamps and producer ids must be
 * safe integers, epochs int16, sequences int32), offset deltas that do not increase, or producer
 * fields Kafka would refuse (transactional without a producer id, a producer id without an epoch
 * or a sequence); `UNSUPPORTED_COMPRESSION_TYPE` for snappy, lz4 and zstd; `TypeError` for keys,
 * values or headers of the wrong type.
 *
 * @example
 * const bytes = encodeRecordBatch({
 *   baseOffset: 0,
 *   records: [{ key: Buffer.from('user-1'), value: Buffer.from('{"n":1}'), timestamp: Date.now() }],
 * });
 */
export function encodeRecordBatch(input: BatchInput): Uint8Array {
  const records = input.records;
  if (!Array.isArray(records)) throw new TypeError('records must be an array');
  const count = records.length;

  const baseOffset = input.baseOffset;
  if (!Number.isSafeInteger(baseOffset) || baseOffset < 0)
    throw invalid(`baseOffset must be a safe integer >= 0; got ${baseOffset}`);
  const partitionLeaderEpoch = int32Field(input.partitionLeaderEpoch, 'partitionLeaderEpoch');
  const producerId = input.producerId ?? -1;
  if (!Number.isSafeInteger(producerId) || producerId < -1)
    throw invalid(`producerId must be a safe integer >= -1; got ${producerId}`);
  const producerEpoch = input.producerEpoch ?? -1;
  if (!Number.isInteger(producerEpoch) || producerEpoch < -0x8000 || producerEpoch > 0x7fff) {
    throw invalid(`producerEpoch must be an int16; got ${producerEpoch}`);
  }
  const baseSequence = int32Field(input.baseSequence, 'baseSequence');
  const isTransactional = input.isTransactional === true;
  const isControl = input.isControl === true;
  if (isTransactional && producerId < 0) throw invalid('A transactional batch needs a producerId');
  if (producerId >= 0) {
    if (producerEpoch < 0) throw invalid(`producerId ${producerId} needs a producerEpoch >= 0`);
    if (baseSequence < 0 && !isControl) throw invalid(`producerId ${producerId} needs a baseSequence >= 0`);
  }
  const codec = input.compression ?? 'none';
  const codecId = compressionCodecId(codec);
  const timestampType = input.timestampType ?? 'CreateTime';
  if (timestampType !== 'CreateTime' && timestampType !== 'LogAppendTime') {
    throw new TypeError(`timestampType must be 'CreateTime' or 'LogAppendTime'; got ${String(timestampType)}`);
  }
  const deleteHorizonMs = input.deleteHorizonMs;
  const hasDeleteHorizon = deleteHorizonMs !== undefined;
  if (hasDeleteHorizon && (!Number.isSafeInteger(deleteHorizonMs) || deleteHorizonMs < 0)) {
    throw invalid(`deleteHorizonMs must be a safe integer >= 0; got ${deleteHorizonMs}`);
  }

  const defaultTimestamp = input.defaultTimestamp;
  if (defaultTimestamp !== undefined && !Number.isSafeInteger(defaultTimestamp)) {
    throw invalid(`defaultTimestamp must be a safe integer; got ${defaultTimestamp}`);
  }
  let baseTimestamp = -1;
  if (hasDeleteHorizon) baseTimestamp = deleteHorizonMs;
  else if (count > 0) baseTimestamp = records[0]!.timestamp ?? defaultTimestamp;
  let maxTimestamp = count > 0 ? Number.NEGATIVE_INFINITY : -1;

  if (bodySizes.length < count) bodySizes = new Int32Array(Math.max(count, bodySizes.length * 2));
  const sizes = bodySizes;
  let offsetDelta = -1;
  let recordsSize = 0;
  for (let i = 0; i < count; i++) {
    const record = records[i]!;
    const timestamp = record.timestamp ?? defaultTimestamp;
    if (!Number.isSafeInteger(timestamp))
      throw invalid(`records[${i}].timestamp must be a safe integer; got ${timestamp}`);
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const timestampDelta = timestamp - baseTimestamp;
    if (!Number.isSafeInteger(timestampDelta)) {
      throw invalid(`records[${i}].timestamp ${timestamp} is too far from the batch's base timestamp ${baseTimestamp}`);
    }
    offsetDelta = nextOffsetDelta(record.offsetDelta, offsetDelta, i);
    const body = recordBodySize(record, timestampDelta, offsetDelta);
    sizes[i] = body;
    recordsSize += sizeOfVarint(body) + body;
  }

  let lastOffsetDelta = input.lastOffsetDelta;
  if (lastOffsetDelta === undefined) lastOffsetDelta = count > 0 ? offsetDelta : 0;
  else if (
    !Number.isInteger(lastOffsetDelta) ||
    lastOffsetDelta < Math.max(offsetDelta, 0) ||
    lastOffsetDelta > 0x7fffffff
  ) {
    throw invalid(
      `lastOffsetDelta must be an int32 >= the last record's offsetDelta (${offsetDelta}); got ${lastOffsetDelta}`,
    );
  }
  if (!Number.isSafeInteger(baseOffset + lastOffsetDelta))
    throw invalid(`baseOffset ${baseOffset} + lastOffsetDelta overflows`);
  if (timestampType === 'LogAppendTime' && input.logAppendTime !== undefined) {
    if (!Number.isSafeInteger(input.logAppendTime))
      throw invalid(`logAppendTime must be a safe integer; got ${input.logAppendTime}`);
    maxTimestamp = input.logAppendTime;
  }
  if (recordsSize > 0x7fffffff - RECORD_BATCH_OVERHEAD)
    throw invalid(`The batch's records take ${recordsSize} bytes, more than an int32 can frame`);

  let buf: Buffer;
  if (codecId === 0) {
    buf = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + recordsSize);
    const end = writeRecords(buf, RECORD_BATCH_OVERHEAD, records, sizes, baseTimestamp, defaultTimestamp);
    if (end !== buf.length)
      throw new Error(`Record batch encoder wrote ${end} bytes of ${buf.length}: records changed while encoding`);
  } else {
    const section = Buffer.allocUnsafe(recordsSize);
    const end = writeRecords(section, 0, records, sizes, baseTimestamp, defaultTimestamp);
    if (end !== section.length)
      throw new Error(`Record batch encoder wrote ${end} bytes of ${section.length}: records changed while encoding`);
    const compressed = compressRecords(codec, section);
    buf = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + compressed.length);
    buf.set(compressed, RECORD_BATCH_OVERHEAD);
  }

  let attributes = codecId;
  if (timestampType === 'LogAppendTime') attributes |= TIMESTAMP_TYPE_BIT;
  if (isTransactional) attributes |= TRANSACTIONAL_BIT;
  if (isControl) attributes |= CONTROL_BIT;
  if (hasDeleteHorizon) attributes |= DELETE_HORIZON_BIT;

  writeInt64(buf, 0, baseOffset);
  writeInt32(buf, 8, buf.length - 12);
  writeInt32(buf, 12, partitionLeaderEpoch);
  buf[16] = MAGIC;
  buf[21] = attributes >>> 8;
  buf[22] = attributes;
  writeInt32(buf, 23, lastOffsetDelta);
  writeInt64(buf, 27, baseTimestamp);
  writeInt64(buf, 35, maxTimestamp);
  writeInt64(buf, 43, producerId);
  buf[51] = producerEpoch >>> 8;
  buf[52] = producerEpoch;
  writeInt32(buf, 53, baseSequence);
  writeInt32(buf, 57, count);
  // With copies deferred, the CRC is computed once they are made.
  if (deferring === undefined || deferring.length === 0)
    writeInt32(buf, CRC_OFFSET, crc32c(buf.subarray(ATTRIBUTES_OFFSET)));
  return buf;
}

/** Keys and values at least this long are copied in slices by {@link encodeRecordBatchInSlices}. */
export const LARGE_VALUE_BYTES = 1 << 20;
/** How much of a large value is copied, or checksummed, between two turns of the event loop. */
const SLICE_BYTES = 4 << 20;
/** While {@link encodeRecordBatchInSlices} encodes: the large copies it makes afterwards. */
let deferring: { at: number; bytes: Uint8Array }[] | undefined;

/**
 * {@link encodeRecordBatch} for batches with large records (a 32 MB value): the batch's size is
 * known at once (so a caller can check `max.message.bytes` before waiting), and `finish` copies the
 * large keys and values and computes the CRC in 4 MiB slices, yielding to the event loop between
 * them, so one large record does not hold the process for the whole copy. `bytes` is the batch
 * once `finish` has resolved; the records' bytes must not change until then. Compressed batches
 * are encoded at once (`finish` is undefined), as are batches without a large record.
 *
 * @example
 * const { bytes, finish } = encodeRecordBatchInSlices({ baseOffset: 0, records: [{ value: big }] });
 * await finish?.();
 */
export function encodeRecordBatchInSlices(input: BatchInput): {
  bytes: Uint8Array;
  finish: (() => Promise<void>) | undefined;
} {
  if ((input.compression ?? 'none') !== 'none') return { bytes: encodeRecordBatch(input), finish: undefined };
  const copies: { at: number; bytes: Uint8Array }[] = [];
  deferring = copies;
  let buf: Uint8Array;
  try {
    buf = encodeRecordBatch(input);
  } finally {
    deferring = undefined;
  }
  if (copies.length === 0) return { bytes: buf, finish: undefined };
  const finish = async () => {
    const slice = new TimeSlice();
    for (const { at, bytes } of copies) {
      for (let from = 0; from < bytes.length; from += SLICE_BYTES) {
        await slice.pause();
        buf.set(bytes.subarray(from, from + SLICE_BYTES), at + from);
      }
    }
    let crc = 0;
    for (let from = ATTRIBUTES_OFFSET; from < buf.length; from += SLICE_BYTES) {
      await slice.pause();
      crc = crc32c(buf.subarray(from, Math.min(buf.length, from + SLICE_BYTES)), crc);
    }
    writeInt32(buf, CRC_OFFSET, crc);
  };
  return { bytes: buf, finish };
}

function int32Field(value: number | undefined, name: string): number {
  if (value === undefined) return -1;
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff)
    throw invalid(`${name} must be an int32; got ${value}`);
  return value;
}

function nextOffsetDelta(given: number | undefined, previous: number, index: number): number {
  if (given === undefined) {
    if (previous === 0x7fffffff) throw invalid(`records[${index}] would need an offsetDelta above int32`);
    return previous + 1;
  }
  if (!Number.isInteger(given) || given <= previous || given > 0x7fffffff) {
    throw invalid(
      `records[${index}].offsetDelta must be an int32 above the previous record's (${previous}); got ${given}`,
    );
  }
  return given;
}

// Bytes of a record after its length prefix.
function recordBodySize(record: RecordInput, timestampDelta: number, offsetDelta: number): number {
  let size = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
  const key = record.key;
  if (key == null) size += 1;
  else {
    if (!(key instanceof Uint8Array)) throw new TypeError('A record key must be a Uint8Array (or Buffer) or null');
    size += sizeOfVarint(key.length) + key.length;
  }
  const value = record.value;
  if (value == null) size += 1;
  else {
    if (!(value instanceof Uint8Array)) throw new TypeError('A record value must be a Uint8Array (or Buffer) or null');
    size += sizeOfVarint(value.length) + value.length;
  }
  const headers = record.headers;
  if (headers == null || headers.length === 0) return size + 1;
  size += sizeOfVarint(headers.length);
  for (let h = 0; h < headers.length; h++) {
    const header = headers[h]!;
    if (typeof header?.key !== 'string') throw new TypeError('A record header key must be a string');
    const keyLength = Buffer.byteLength(header.key, 'utf8');
    size += sizeOfVarint(keyLength) + keyLength;
    const headerValue = header.value;
    if (headerValue == null) size += 1;
    else {
      if (!(headerValue instanceof Uint8Array))
        throw new TypeError('A record header value must be a Uint8Array (or Buffer) or null');
      size += sizeOfVarint(headerValue.length) + headerValue.length;
    }
  }
  return size;
}

function writeRecords(
  buf: Buffer,
  pos: number,
  records: readonly RecordInput[],
  sizes: Int32Array,
  baseTimestamp: number,
  defaultTimestamp: number | undefined,
): number {
  let offsetDelta = -1;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    pos = writeVarint(buf, pos, sizes[i]!);
    buf[pos++] = 0;
    pos = writeVarlong(buf, pos, (record.timestamp ?? defaultTimestamp!) - baseTimestamp);
    offsetDelta = record.offsetDelta ?? offsetDelta + 1;
    pos = writeVarint(buf, pos, offsetDelta);
    pos = writeNullableBytes(buf, pos, record.key);
    pos = writeNullableBytes(buf, pos, record.value);
    const headers = record.headers;
    if (headers == null || headers.length === 0) {
      buf[pos++] = 0;
      continue;
    }
    pos = writeVarint(buf, pos, headers.length);
    for (let h = 0; h < headers.length; h++) {
      const header = headers[h]!;
      const keyLength = Buffer.byteLength(header.key, 'utf8');
      pos = writeVarint(buf, pos, keyLength);
      pos += buf.write(header.key, pos, keyLength, 'utf8');
      pos = writeNullableBytes(buf, pos, header.value);
    }
  }
  return pos;
}

function writeNullableBytes(buf: Buffer, pos: number, bytes: Uint8Array | null | undefined): number {
  if (bytes == null) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  const n = bytes.length;
  pos = writeVarint(buf, pos, n);
  // TypedArray#set has a fixed cost that dominates for short keys; a loop wins below ~32 bytes.
  if (n < 32) for (let j = 0; j < n; j++) buf[pos + j] = bytes[j]!;
  else if (deferring !== undefined && n >= LARGE_VALUE_BYTES) deferring.push({ at: pos, bytes });
  else buf.set(bytes, pos);
  return pos + n;
}

function writeInt32(buf: Uint8Array, pos: number, value: number): void {
  buf[pos] = value >>> 24;
  buf[pos + 1] = value >>> 16;
  buf[pos + 2] = value >>> 8;
  buf[pos + 3] = value;
}

function writeInt64(buf: Uint8Array, pos: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  writeInt32(buf, pos, high);
  writeInt32(buf, pos + 4, value - high * TWO_POW_32);
}

function readInt32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

function readInt16(buf: Uint8Array, pos: number): number {
  return ((buf[pos]! << 24) | (buf[pos + 1]! << 16)) >> 16;
}

// Two 32-bit reads; a value past 2^53 cannot be a JS number exactly, so it is corruption here.
function readInt64(buf: Uint8Array, pos: number): number {
  const value = readInt32(buf, pos) * TWO_POW_32 + (readInt32(buf, pos + 4) >>> 0);
  if (value > MAX_SAFE || value < -MAX_SAFE)
    throw corrupt(`int64 at byte ${pos} is outside the safe-integer range of a JS number`);
  return value;
}

/**
 * Reads a batch's 61-byte header without touching its records: what the log's index and
 * retention need. Checks the magic byte and that batchLength fits in `bytes` (which may hold more
 * after the batch); does not check the CRC.
 *
 * Throws `CORRUPT_MESSAGE` (naming `context` and the base offset) for a short buffer, a magic
 * other than 2, or an inconsistent batchLength; `UNSUPPORTED_COMPRESSION_TYPE` for codec ids 5-7.
 *
 * @example
 * const header = readBatchHeader(bytes, { topic: 'orders', partition: 0 });
 * if (header.maxTimestamp < now - retentionMs) deleteBatch(header.baseOffset);
 */
export function readBatchHeader(bytes: Uint8Array, context?: BatchContext): BatchHeader {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('A record batch must be a Uint8Array (or Buffer)');
  try {
    return parseHeader(bytes, frameSize(bytes));
  } catch (err) {
    throw withContext(err, context, peekBaseOffset(bytes));
  }
}

// Checks what must hold before anything else in the batch can be trusted, CRC included: the
// buffer holds a header, the magic is 2, and batchLength fits. Returns the batch's size.
function frameSize(bytes: Uint8Array): number {
  const length = bytes.length;
  if (length < RECORD_BATCH_OVERHEAD)
    throw corrupt(`A record batch needs at least ${RECORD_BATCH_OVERHEAD} bytes; got ${length}`);
  const magic = (bytes[16]! << 24) >> 24;
  if (magic !== MAGIC)
    throw corrupt(`Unsupported record batch magic ${magic}; only magic 2 (RecordBatch v2) is supported`);
  const batchLength = readInt32(bytes, 8);
  if (batchLength < RECORD_BATCH_OVERHEAD - 12 || batchLength > length - 12) {
    throw corrupt(`batchLength ${batchLength} does not fit a buffer of ${length} bytes`);
  }
  return batchLength + 12;
}

// An unassigned codec id (5-7) in a batch whose CRC does not match is damage, not a newer Kafka:
// the header is read without the CRC check, and the attributes are among the bytes it covers.
function codecOf(bytes: Uint8Array, attributes: number, sizeInBytes: number): CompressionCodec {
  try {
    return compressionCodecFromId(attributes & 0x07);
  } catch (err) {
    const stored = readInt32(bytes, CRC_OFFSET) >>> 0;
    const actual = crc32c(bytes.subarray(ATTRIBUTES_OFFSET, sizeInBytes));
    if (actual !== stored) throw corrupt(`CRC32C mismatch: stored ${hex32(stored)}, computed ${hex32(actual)}`);
    throw err;
  }
}

function parseHeader(bytes: Uint8Array, sizeInBytes: number): BatchHeader {
  const baseOffset = readInt64(bytes, 0);
  const attributes = readInt16(bytes, ATTRIBUTES_OFFSET);
  const lastOffsetDelta = readInt32(bytes, 23);
  const recordCount = readInt32(bytes, 57);
  if (recordCount < 0) throw corrupt(`Negative record count ${recordCount}`);
  return {
    baseOffset,
    batchLength: sizeInBytes - 12,
    partitionLeaderEpoch: readInt32(bytes, 12),
    magic: MAGIC,
    crc: readInt32(bytes, CRC_OFFSET) >>> 0,
    attributes,
    compression: codecOf(bytes, attributes, sizeInBytes),
    timestampType: attributes & TIMESTAMP_TYPE_BIT ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    isControl: (attributes & CONTROL_BIT) !== 0,
    hasDeleteHorizon: (attributes & DELETE_HORIZON_BIT) !== 0,
    lastOffsetDelta,
    baseTimestamp: readInt64(bytes, 27),
    maxTimestamp: readInt64(bytes, MAX_TIMESTAMP_OFFSET),
    producerId: readInt64(bytes, 43),
    producerEpoch: readInt16(bytes, 51),
    baseSequence: readInt32(bytes, 53),
    recordCount,
    lastOffset: baseOffset + lastOffsetDelta,
    sizeInBytes,
  };
}

// The base offset for an error's context, when the bytes hold a usable one.
function peekBaseOffset(bytes: Uint8Array): number | undefined {
  if (bytes.length < 8) return undefined;
  const value = readInt32(bytes, 0) * TWO_POW_32 + (readInt32(bytes, 4) >>> 0);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * True when `bytes` starts with a well-formed batch frame (length, magic, batchLength) whose
 * CRC-32C matches the batch's bytes. Never throws for bad bytes: anything malformed is `false`.
 *
 * @example
 * if (!verifyBatchCrc(stored)) quarantine(stored);
 */
export function verifyBatchCrc(bytes: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array)) return false;
  let size: number;
  try {
    size = frameSize(bytes);
  } catch {
    return false;
  }
  return crc32c(bytes.subarray(ATTRIBUTES_OFFSET, size)) === readInt32(bytes, CRC_OFFSET) >>> 0;
}

/**
 * Decodes a batch and its records. Keys, values and header values are views into `bytes` (or
 * into the decompressed records), not copies. `bytes` may hold more after the batch; only
 * `sizeInBytes` of it are read.
 *
 * Throws `CORRUPT_MESSAGE` on a CRC mismatch (unless `verifyCrc: false`), truncation, or any
 * length that overruns the batch, never returning wrong data; `UNSUPPORTED_COMPRESSION_TYPE` for
 * snappy, lz4 and zstd batches. Errors carry `context`'s topic and partition and the batch's base
 * offset.
 *
 * @example
 * const batch = decodeRecordBatch(bytes, { context: { topic: 'orders', partition: 0 } });
 * for (const record of batch.records) handle(record.offset, record.key, record.value);
 */
export function decodeRecordBatch(bytes: Uint8Array, options?: DecodeOptions): DecodedBatch {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('A record batch must be a Uint8Array (or Buffer)');
  try {
    const size = frameSize(bytes);
    // The CRC goes first: until it matches, no field it covers (attributes, timestamps, counts)
    // is worth interpreting, and a damaged one must read as corruption, not as something else.
    if (options?.verifyCrc !== false) {
      const stored = readInt32(bytes, CRC_OFFSET) >>> 0;
      const actual = crc32c(bytes.subarray(ATTRIBUTES_OFFSET, size));
      if (actual !== stored) throw corrupt(`CRC32C mismatch: stored ${hex32(stored)}, computed ${hex32(actual)}`);
    }
    const batch = parseHeader(bytes, size) as DecodedBatch;
    if (batch.compression === 'none') batch.records = decodeRecords(bytes, RECORD_BATCH_OVERHEAD, size, batch);
    else {
      const section = decompressRecords(batch.compression, bytes.subarray(RECORD_BATCH_OVERHEAD, size));
      batch.records = decodeRecords(section, 0, section.length, batch);
    }
    return batch;
  } catch (err) {
    throw withContext(err, options?.context, peekBaseOffset(bytes));
  }
}

/** What {@link scanRecordBatch} found in a batch's records, besides its header. */
export interface ScannedBatch extends BatchHeader {
  /** The index of the first record whose offsetDelta is not its index, or -1 when every one is. */
  firstOffsetGap: number;
  /** True when some record has a null key. */
  hasNullKey: boolean;
}

/**
 * @internal {@link decodeRecordBatch} with its records read by the checked decoder alone, the one
 * it falls back to when its one-pass reader finds something wrong: tests hold the two to the same
 * records and the same errors.
 */
export function decodeRecordBatchChecked(bytes: Uint8Array, options?: DecodeOptions): DecodedBatch {
  checked = true;
  try {
    return decodeRecordBatch(bytes, options);
  } finally {
    checked = false;
  }
}

let checked = false;

/**
 * Checks a batch as {@link decodeRecordBatch} does (CRC, frame, every record's lengths, varints,
 * headers and offset, decompressing if need be) in one pass that allocates nothing per record,
 * and returns its header with what a broker checks of a produced batch. The broker's Produce path
 * calls it where it has no use for the records themselves.
 *
 * Throws exactly what {@link decodeRecordBatch} throws for the same bytes.
 *
 * @example
 * const scanned = scanRecordBatch(bytes, { context: { topic: 'orders', partition: 0 } });
 * if (scanned.firstOffsetGap >= 0) refuse();
 */
export function scanRecordBatch(bytes: Uint8Array, options?: Pick<DecodeOptions, 'context'>): ScannedBatch {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('A record batch must be a Uint8Array (or Buffer)');
  try {
    const size = frameSize(bytes);
    const stored = readInt32(bytes, CRC_OFFSET) >>> 0;
    const actual = crc32c(bytes.subarray(ATTRIBUTES_OFFSET, size));
    if (actual !== stored) throw corrupt(`CRC32C mismatch: stored ${hex32(stored)}, computed ${hex32(actual)}`);
    const batch = parseHeader(bytes, size) as ScannedBatch;
    batch.firstOffsetGap = -1;
    batch.hasNullKey = false;
    if (batch.compression === 'none') scanRecords(bytes, RECORD_BATCH_OVERHEAD, size, batch);
    else {
      const section = decompressRecords(batch.compression, bytes.subarray(RECORD_BATCH_OVERHEAD, size));
      scanRecords(section, 0, section.length, batch);
    }
    return batch;
  } catch (err) {
    throw withContext(err, options?.context, peekBaseOffset(bytes));
  }
}

// decodeRecords's checks, record by record, without building the records.
function scanRecords(src: Uint8Array, pos: number, limit: number, batch: ScannedBatch): void {
  const count = batch.recordCount;
  if (count > (limit - pos) / MIN_RECORD_SIZE) throw corrupt(`${count} records cannot fit in ${limit - pos} bytes`);
  const baseOffset = batch.baseOffset;
  const baseTimestamp = batch.baseTimestamp;
  const logAppendTime = batch.timestampType === 'LogAppendTime';
  const cursor: Cursor = { offset: pos };
  for (let i = 0; i < count; i++) {
    const bodySize = readVarint(src, cursor, limit);
    const recordEnd = cursor.offset + bodySize;
    if (bodySize < MIN_RECORD_SIZE - 1 || recordEnd > limit)
      throw corrupt(`Record ${i} has an invalid length ${bodySize}`);
    cursor.offset++; // attributes: unused in v2
    const timestampDelta = readVarlong(src, cursor, recordEnd);
    const offsetDelta = readVarint(src, cursor, recordEnd);
    if (offsetDelta < 0) throw corrupt(`Record ${i} has a negative offsetDelta ${offsetDelta}`);
    if (offsetDelta !== i && batch.firstOffsetGap < 0) batch.firstOffsetGap = i;
    if (skipNullableBytes(src, cursor, recordEnd)) batch.hasNullKey = true;
    skipNullableBytes(src, cursor, recordEnd);
    const headerCount = readVarint(src, cursor, recordEnd);
    if (headerCount !== 0) skipHeaders(src, cursor, recordEnd, headerCount);
    if (cursor.offset !== recordEnd)
      throw corrupt(`Record ${i} declares ${bodySize} bytes but holds ${cursor.offset - recordEnd + bodySize}`);
    const timestamp = logAppendTime ? batch.maxTimestamp : baseTimestamp + timestampDelta;
    if (timestamp > MAX_SAFE || timestamp < -MAX_SAFE || baseOffset + offsetDelta > MAX_SAFE)
      throw corrupt(`Record ${i}'s offset or timestamp exceeds 2^53`);
  }
  if (cursor.offset !== limit) throw corrupt(`${limit - cursor.offset} bytes follow the batch's ${count} records`);
}

// readNullableBytes's checks without the view; true for a null.
function skipNullableBytes(src: Uint8Array, cursor: Cursor, limit: number): boolean {
  const length = readVarint(src, cursor, limit);
  if (length < 0) {
    if (length === -1) return true;
    throw corrupt(`Negative length ${length}`);
  }
  const end = cursor.offset + length;
  if (end > limit) throw corrupt(`A length of ${length} bytes overruns its record`);
  cursor.offset = end;
  return false;
}

// readHeaders's checks without the strings.
function skipHeaders(src: Uint8Array, cursor: Cursor, limit: number, count: number): void {
  if (count < 0 || count > (limit - cursor.offset) / 2) throw corrupt(`Invalid header count ${count}`);
  for (let h = 0; h < count; h++) {
    const keyLength = readVarint(src, cursor, limit);
    const end = cursor.offset + keyLength;
    if (keyLength < 0 || end > limit) throw corrupt(`Invalid header key length ${keyLength}`);
    cursor.offset = end;
    skipNullableBytes(src, cursor, limit);
  }
}

/** The records of a batch's (decompressed) record section, from `pos` to `limit`. */
function decodeRecords(src: Uint8Array, pos: number, limit: number, header: BatchHeader): DecodedRecord[] {
  if (!checked) {
    const records = decodeRecordsFast(src, pos, limit, header);
    if (records !== undefined) return records;
    fallbacks++;
  }
  return decodeRecordsChecked(src, pos, limit, header);
}

let fallbacks = 0;

/**
 * @internal How many times {@link decodeRecordBatch}'s one-pass reader gave a section up to the
 * checked decoder in this process: tests hold it to reading every valid batch itself.
 */
export function decodeFallbacks(): number {
  return fallbacks;
}

/** Where the last {@link zigzag} read ended. */
let at = 0;
/** Set when one of them found no valid varint (then `at` is the limit it was given). */
let failed = false;
const slowCursor: Cursor = { offset: 0 };

/**
 * A zigzag varint (a varlong when `long`) at `p`, ending by `end`: up to three bytes (every length
 * and count under 1 MiB, a timestamp delta within 8 minutes) read inline, longer ones by
 * {@link readVarint} or {@link readVarlong}. Leaves the position after it in {@link at}.
 */
function zigzag(src: Uint8Array, p: number, end: number, long: boolean): number {
  if (p < end) {
    const b = src[p]!;
    if (b < 0x80) {
      at = p + 1;
      return (b >>> 1) ^ -(b & 1);
    }
    if (p + 1 < end) {
      const c = src[p + 1]!;
      if (c < 0x80) {
        const raw = (b & 0x7f) | (c << 7);
        at = p + 2;
        return (raw >>> 1) ^ -(raw & 1);
      }
      if (p + 2 < end) {
        const d = src[p + 2]!;
        if (d < 0x80) {
          const raw = (b & 0x7f) | ((c & 0x7f) << 7) | (d << 14);
          at = p + 3;
          return (raw >>> 1) ^ -(raw & 1);
        }
      }
    }
  }
  return slowVarint(src, p, end, long);
}

function slowVarint(src: Uint8Array, p: number, end: number, long: boolean): number {
  slowCursor.offset = p;
  try {
    const value = long ? readVarlong(src, slowCursor, end) : readVarint(src, slowCursor, end);
    at = slowCursor.offset;
    return value;
  } catch {
    failed = true;
    at = end;
    return 0;
  }
}

/**
 * {@link decodeRecordsChecked} in one pass with the position in a local, for the records the log
 * stores and reads back: undefined at the first thing that does not hold, and the caller decodes
 * the section again with the checked decoder, which throws the error naming it. Same records, same
 * checks, in the same order.
 */
function decodeRecordsFast(
  src: Uint8Array,
  pos: number,
  limit: number,
  header: BatchHeader,
): DecodedRecord[] | undefined {
  const count = header.recordCount;
  if (count > (limit - pos) / MIN_RECORD_SIZE) return undefined;
  const { baseOffset, baseTimestamp, maxTimestamp } = header;
  const logAppendTime = header.timestampType === 'LogAppendTime';
  const buffer = src.buffer;
  const base = src.byteOffset;
  const records = new Array<DecodedRecord>(count);
  failed = false;
  let p = pos;
  for (let i = 0; i < count; i++) {
    const bodySize = zigzag(src, p, limit, false);
    p = at + 1; // past the attributes, unused in v2
    const recordEnd = at + bodySize;
    if (failed || bodySize < MIN_RECORD_SIZE - 1 || recordEnd > limit) return undefined;
    const timestampDelta = zigzag(src, p, recordEnd, true);
    const offsetDelta = zigzag(src, at, recordEnd, false);
    if (failed || offsetDelta < 0) return undefined;
    let length = zigzag(src, at, recordEnd, false);
    p = at;
    let key: Uint8Array | null = null;
    if (length >= 0) {
      if (failed || p + length > recordEnd) return undefined;
      key = new BufferView(buffer, base + p, length);
      p += length;
    } else if (length !== -1) return undefined;
    length = zigzag(src, p, recordEnd, false);
    p = at;
    let value: Uint8Array | null = null;
    if (length >= 0) {
      if (failed || p + length > recordEnd) return undefined;
      value = new BufferView(buffer, base + p, length);
      p += length;
    } else if (length !== -1) return undefined;
    const headerCount = zigzag(src, p, recordEnd, false);
    p = at;
    let headers = EMPTY_HEADERS;
    if (headerCount !== 0) {
      if (failed) return undefined;
      slowCursor.offset = p;
      try {
        headers = readHeaders(src, slowCursor, recordEnd, headerCount);
      } catch {
        return undefined;
      }
      p = slowCursor.offset;
    }
    if (failed || p !== recordEnd) return undefined;
    const timestamp = logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta;
    const offset = baseOffset + offsetDelta;
    if (timestamp > MAX_SAFE || timestamp < -MAX_SAFE || offset > MAX_SAFE) return undefined;
    records[i] = { offset, timestamp, key, value, headers };
  }
  return p === limit ? records : undefined;
}

/** The records of a section, every field checked as it is read; throws `CORRUPT_MESSAGE` naming what is wrong. */
function decodeRecordsChecked(src: Uint8Array, pos: number, limit: number, header: BatchHeader): DecodedRecord[] {
  const count = header.recordCount;
  if (count > (limit - pos) / MIN_RECORD_SIZE) throw corrupt(`${count} records cannot fit in ${limit - pos} bytes`);
  const baseOffset = header.baseOffset;
  const baseTimestamp = header.baseTimestamp;
  const logAppendTime = header.timestampType === 'LogAppendTime';
  const maxTimestamp = header.maxTimestamp;
  const records = new Array<DecodedRecord>(count);
  const cursor: Cursor = { offset: pos };
  for (let i = 0; i < count; i++) {
    const bodySize = readVarint(src, cursor, limit);
    const recordEnd = cursor.offset + bodySize;
    if (bodySize < MIN_RECORD_SIZE - 1 || recordEnd > limit)
      throw corrupt(`Record ${i} has an invalid length ${bodySize}`);
    cursor.offset++; // attributes: unused in v2
    const timestampDelta = readVarlong(src, cursor, recordEnd);
    const offsetDelta = readVarint(src, cursor, recordEnd);
    if (offsetDelta < 0) throw corrupt(`Record ${i} has a negative offsetDelta ${offsetDelta}`);
    const key = readNullableBytes(src, cursor, recordEnd);
    const value = readNullableBytes(src, cursor, recordEnd);
    const headerCount = readVarint(src, cursor, recordEnd);
    const headers = headerCount === 0 ? EMPTY_HEADERS : readHeaders(src, cursor, recordEnd, headerCount);
    if (cursor.offset !== recordEnd)
      throw corrupt(`Record ${i} declares ${bodySize} bytes but holds ${cursor.offset - recordEnd + bodySize}`);
    const timestamp = logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta;
    const offset = baseOffset + offsetDelta;
    if (timestamp > MAX_SAFE || timestamp < -MAX_SAFE || offset > MAX_SAFE)
      throw corrupt(`Record ${i}'s offset or timestamp exceeds 2^53`);
    records[i] = { offset, timestamp, key, value, headers };
  }
  if (cursor.offset !== limit) throw corrupt(`${limit - cursor.offset} bytes follow the batch's ${count} records`);
  return records;
}

function readNullableBytes(src: Uint8Array, cursor: Cursor, limit: number): Uint8Array | null {
  const length = readVarint(src, cursor, limit);
  if (length < 0) {
    if (length === -1) return null;
    throw corrupt(`Negative length ${length}`);
  }
  const start = cursor.offset;
  const end = start + length;
  if (end > limit) throw corrupt(`A length of ${length} bytes overruns its record`);
  cursor.offset = end;
  return new BufferView(src.buffer, src.byteOffset + start, length);
}

function readHeaders(src: Uint8Array, cursor: Cursor, limit: number, count: number): RecordHeader[] {
  // Each header takes at least two bytes, which bounds an absurd count before allocating for it.
  if (count < 0 || count > (limit - cursor.offset) / 2) throw corrupt(`Invalid header count ${count}`);
  const headers = new Array<RecordHeader>(count);
  for (let h = 0; h < count; h++) {
    const keyLength = readVarint(src, cursor, limit);
    const start = cursor.offset;
    const end = start + keyLength;
    if (keyLength < 0 || end > limit) throw corrupt(`Invalid header key length ${keyLength}`);
    cursor.offset = end;
    headers[h] = { key: decodeUtf8(src, start, end), value: readNullableBytes(src, cursor, limit) };
  }
  return headers;
}

// Header keys are short and nearly always ASCII: building the string directly skips
// TextDecoder's per-call cost. Invalid UTF-8 becomes U+FFFD, as with Java's String.
function decodeUtf8(src: Uint8Array, start: number, end: number): string {
  if (end - start <= 32) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = src[i]!;
      if (c >= 0x80) return utf8Decoder.decode(src.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8Decoder.decode(src.subarray(start, end));
}

/**
 * Writes `baseOffset` into an encoded batch, in place, and returns the same bytes. The base
 * offset is outside the CRC, so the log assigns offsets to a batch the producer encoded with
 * base offset 0 without re-encoding it.
 *
 * Throws `INVALID_RECORD` when `baseOffset` is not a safe integer >= 0 or when the batch's last
 * offset would pass 2^53; `CORRUPT_MESSAGE` when `bytes` is not a batch.
 *
 * @example
 * setBaseOffset(producerBytes, partition.nextOffset);
 */
export function setBaseOffset(bytes: Uint8Array, baseOffset: number): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('A record batch must be a Uint8Array (or Buffer)');
  // The checks readBatchHeader makes, without building the header: the log calls this per append.
  let lastOffsetDelta: number;
  try {
    frameSize(bytes);
    const recordCount = readInt32(bytes, 57);
    if (recordCount < 0) throw corrupt(`Negative record count ${recordCount}`);
    lastOffsetDelta = readInt32(bytes, 23);
  } catch (err) {
    throw withContext(err, undefined, peekBaseOffset(bytes));
  }
  if (!Number.isSafeInteger(baseOffset) || baseOffset < 0 || !Number.isSafeInteger(baseOffset + lastOffsetDelta)) {
    throw invalid(`baseOffset must be a safe integer >= 0; got ${baseOffset}`);
  }
  writeInt64(bytes, 0, baseOffset);
  return bytes;
}

/**
 * A copy of an encoded batch with `baseOffset` written into it; `bytes` is left alone. See
 * {@link setBaseOffset}.
 *
 * @example
 * const stored = withBaseOffset(producerBytes, 1000);
 */
export function withBaseOffset(bytes: Uint8Array, baseOffset: number): Uint8Array {
  const copy = Buffer.allocUnsafe(bytes.length);
  copy.set(bytes);
  return setBaseOffset(copy, baseOffset);
}

/**
 * Turns an encoded batch into a LogAppendTime batch stamped `timestamp`, in place, and returns
 * the same bytes: sets the timestampType bit, writes maxTimestamp and recomputes the CRC, as a
 * Kafka broker does for topics with `message.timestamp.type=LogAppendTime`. Records are not
 * rewritten; on read they all take `timestamp`.
 *
 * @example
 * setLogAppendTime(bytes, clock.now());
 */
export function setLogAppendTime(bytes: Uint8Array, timestamp: number): Uint8Array {
  const header = readBatchHeader(bytes);
  if (!Number.isSafeInteger(timestamp)) throw invalid(`timestamp must be a safe integer; got ${timestamp}`);
  const attributes = header.attributes | TIMESTAMP_TYPE_BIT;
  bytes[ATTRIBUTES_OFFSET] = attributes >>> 8;
  bytes[ATTRIBUTES_OFFSET + 1] = attributes;
  writeInt64(bytes, MAX_TIMESTAMP_OFFSET, timestamp);
  writeInt32(bytes, CRC_OFFSET, crc32c(bytes.subarray(ATTRIBUTES_OFFSET, header.sizeInBytes)));
  return bytes;
}

/**
 * An upper bound on the bytes `record` adds to an uncompressed batch, whatever its offset and
 * timestamp deltas: key, value and headers plus {@link MAX_RECORD_OVERHEAD}. With
 * {@link RECORD_BATCH_OVERHEAD}, enough to check `max.message.bytes` before encoding.
 *
 * @example
 * const bound = RECORD_BATCH_OVERHEAD + records.reduce((n, r) => n + estimateRecordSize(r), 0);
 * if (bound > maxMessageBytes) splitOrRefuse();
 */
export function estimateRecordSize(record: Pick<RecordInput, 'key' | 'value' | 'headers'>): number {
  return MAX_RECORD_OVERHEAD - 3 + recordBodySize(record as RecordInput, 0, 0);
}

/**
 * The exact size of a batch holding `record` alone, uncompressed: what the log compares with a
 * topic's `max.message.bytes` when a producer sends that record by itself.
 *
 * @example
 * singleRecordBatchSize({ key: null, value: new Uint8Array(10) }); // 61 + 18
 */
export function singleRecordBatchSize(record: Pick<RecordInput, 'key' | 'value' | 'headers'>): number {
  const body = recordBodySize(record as RecordInput, 0, 0);
  return RECORD_BATCH_OVERHEAD + sizeOfVarint(body) + body;
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function corrupt(message: string): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', message);
}

function invalid(message: string): TributaryError {
  return new TributaryError('INVALID_RECORD', message);
}

// Errors raised deep in the decoder know nothing of where the batch lives; this adds the topic,
// partition and base offset once, at the edge, keeping the hot path free of context plumbing.
function withContext(err: unknown, context: BatchContext | undefined, baseOffset: number | undefined): TributaryError {
  const where = locate(context, baseOffset);
  const options: Record<string, unknown> = {};
  if (context?.topic !== undefined) options['topic'] = context.topic;
  if (context?.partition !== undefined) options['partition'] = context.partition;
  if (baseOffset !== undefined) options['offset'] = baseOffset;
  if (err instanceof TributaryError) {
    return new TributaryError(err.code, `${err.message} (${where})`, { ...err.context, ...options, cause: err.cause });
  }
  return new TributaryError(
    'CORRUPT_MESSAGE',
    `Record batch cannot be decoded: ${(err as Error)?.message} (${where})`,
    {
      ...options,
      cause: err,
    },
  );
}

function locate(context: BatchContext | undefined, baseOffset: number | undefined): string {
  let where = baseOffset === undefined ? 'record batch' : `record batch at offset ${baseOffset}`;
  if (context?.topic !== undefined)
    where += ` of ${context.topic}${context.partition === undefined ? '' : `-${context.partition}`}`;
  else if (context?.partition !== undefined) where += ` of partition ${context.partition}`;
  return where;
}

/**
 * Builds one plain RecordBatch v2 record by record, as Kafka's `MemoryRecordsBuilder` does: each
 * record is encoded when it is appended, while its bytes are at hand, and {@link build} adds the
 * header and the CRC. The batch is the one {@link encodeRecordBatch} makes of the same records at
 * base offset 0 with no producer, no compression and CreateTime, which is all it makes: a record
 * with headers, or a timestamp that is not a safe integer ≥ 0, is not appended (`append` answers
 * false and the caller encodes its records otherwise).
 *
 * @example
 * const builder = new RecordBatchBuilder();
 * builder.append(key, value, Date.now());
 * const batch = builder.build();
 */
export class RecordBatchBuilder {
  #buf: Uint8Array;
  #pos = RECORD_BATCH_OVERHEAD;
  #count = 0;
  #baseTimestamp = 0;
  #maxTimestamp = -1;
  #hasNullKey = false;

  constructor(capacity = 4096) {
    // Not zero-filled: only what is written is handed out.
    this.#buf = Buffer.allocUnsafeSlow(Math.max(capacity, RECORD_BATCH_OVERHEAD + 64));
  }

  /** Records appended. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the batch so far, header included. */
  get sizeInBytes(): number {
    return this.#pos;
  }

  /** The largest timestamp appended, -1 before the first record. */
  get maxTimestamp(): number {
    return this.#maxTimestamp;
  }

  /** Some record appended has a null key (a compacted topic refuses the batch). */
  get hasNullKey(): boolean {
    return this.#hasNullKey;
  }

  /** Encodes a record without headers at the end of the batch; false (nothing appended) for one it does not take. */
  append(key: Uint8Array | null, value: Uint8Array | null, timestamp: number): boolean {
    if (!Number.isSafeInteger(timestamp) || timestamp < 0 || this.#count === 0x7fffffff) return false;
    if (key !== null && !(key instanceof Uint8Array)) return false;
    if (value !== null && !(value instanceof Uint8Array)) return false;
    if (this.#count === 0) this.#baseTimestamp = timestamp;
    const timestampDelta = timestamp - this.#baseTimestamp;
    const offsetDelta = this.#count;
    const keyLength = key === null ? 0 : key.length;
    const valueLength = value === null ? 0 : value.length;
    const body =
      2 +
      sizeOfVarlong(timestampDelta) +
      sizeOfVarint(offsetDelta) +
      (key === null ? 1 : sizeOfVarint(keyLength) + keyLength) +
      (value === null ? 1 : sizeOfVarint(valueLength) + valueLength);
    const end = this.#pos + sizeOfVarint(body) + body;
    if (end > this.#buf.length) this.#grow(end);
    const buf = this.#buf;
    let pos = writeVarint(buf, this.#pos, body);
    buf[pos++] = 0;
    pos = writeVarlong(buf, pos, timestampDelta);
    pos = writeVarint(buf, pos, offsetDelta);
    pos = writeBytesField(buf, pos, key);
    pos = writeBytesField(buf, pos, value);
    buf[pos++] = 0;
    this.#pos = pos;
    this.#count++;
    if (timestamp > this.#maxTimestamp) this.#maxTimestamp = timestamp;
    if (key === null) this.#hasNullKey = true;
    return true;
  }

  /** The batch (at least one record must have been appended), in a buffer of its own. */
  build(): Uint8Array {
    if (this.#count === 0) throw new TypeError('a record batch needs at least one record');
    const buf = this.#buf.subarray(0, this.#pos);
    writeInt64(buf, 0, 0);
    writeInt32(buf, 8, buf.length - 12);
    writeInt32(buf, 12, -1);
    buf[16] = MAGIC;
    buf[21] = 0;
    buf[22] = 0;
    writeInt32(buf, 23, this.#count - 1);
    writeInt64(buf, 27, this.#baseTimestamp);
    writeInt64(buf, 35, this.#maxTimestamp);
    writeInt64(buf, 43, -1);
    buf[51] = 0xff;
    buf[52] = 0xff;
    writeInt32(buf, 53, -1);
    writeInt32(buf, 57, this.#count);
    writeInt32(buf, CRC_OFFSET, crc32c(buf.subarray(ATTRIBUTES_OFFSET)));
    // A copy of its own size: the builder's buffer is kept for the next batch (see reset).
    const out = Buffer.allocUnsafeSlow(buf.length);
    out.set(buf);
    return out;
  }

  /** Empties the builder for the next batch, keeping its buffer (no allocation per batch but the one `build` returns). */
  reset(): void {
    this.#pos = RECORD_BATCH_OVERHEAD;
    this.#count = 0;
    this.#baseTimestamp = 0;
    this.#maxTimestamp = -1;
    this.#hasNullKey = false;
  }

  #grow(needed: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(needed, this.#buf.length * 2));
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }
}

function writeBytesField(buf: Uint8Array, pos: number, bytes: Uint8Array | null): number {
  if (bytes === null) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  const n = bytes.length;
  pos = writeVarint(buf, pos, n);
  if (n < 32) for (let j = 0; j < n; j++) buf[pos + j] = bytes[j]!;
  else buf.set(bytes, pos);
  return pos + n;
}
