/**
 * Confluent's wire format: byte 0 (the magic byte), the schema id as 4 bytes big-endian, for
 * Protobuf the message indexes, then the payload.
 *
 * Message indexes locate the message within its `.proto` file: `[1, 0]` is the first message nested
 * in the second top-level message. They are written as zigzag varints, the count first; the common
 * `[0]` is written as the single byte 0 (a count of zero). Reading accepts both that and the long
 * form `[1, 0]` (bytes 2, 0).
 */
import { SerializationError } from '../../src/index.ts';

/** The first byte of Confluent's wire format, before the 4-byte schema id. */
export const MAGIC_BYTE = 0;
/** Magic byte and schema id. */
export const HEADER_SIZE = 5;
/** More indexes than this is taken for garbage, not a nesting depth. */
const MAX_INDEXES = 128;

/** The parts of a framed value. `payload` is a view into the input, not a copy. */
export interface Frame {
  schemaId: number;
  /** Protobuf only; undefined for the other formats. */
  messageIndexes: number[] | undefined;
  payload: Uint8Array;
  /**
   * Protobuf only: when the bytes after the header may also be a payload written with no message
   * indexes at all (as `@kafkajs/confluent-schema-registry` writes them), that payload. A reader
   * falls back to it, as message `[0]`, when `messageIndexes` name no message of the schema.
   */
  indexless?: Uint8Array;
}

/** Frames a payload: magic byte, id, message indexes (Protobuf), payload, in one allocation. */
export function frame(schemaId: number, payload: Uint8Array, messageIndexes?: readonly number[]): Uint8Array {
  return frameEncoded(schemaId, payload, messageIndexes === undefined ? undefined : encodeIndexes(messageIndexes));
}

/** {@link frame} with the message indexes encoded already (a serde encodes them once). */
export function frameEncoded(schemaId: number, payload: Uint8Array, indexBytes: Uint8Array | undefined): Uint8Array {
  const indexLength = indexBytes === undefined ? 0 : indexBytes.length;
  const out = Buffer.allocUnsafe(HEADER_SIZE + indexLength + payload.length);
  out[0] = MAGIC_BYTE;
  out[1] = schemaId >>> 24;
  out[2] = (schemaId >>> 16) & 0xff;
  out[3] = (schemaId >>> 8) & 0xff;
  out[4] = schemaId & 0xff;
  if (indexBytes !== undefined) out.set(indexBytes, HEADER_SIZE);
  out.set(payload, HEADER_SIZE + indexLength);
  return out;
}

/** The schema id of framed bytes, or -1 when they are not framed (too short, wrong magic byte). */
export function peekSchemaId(data: Uint8Array): number {
  if (data.length < HEADER_SIZE || data[0] !== MAGIC_BYTE) return -1;
  return ((data[1]! << 24) | (data[2]! << 16) | (data[3]! << 8) | data[4]!) >>> 0;
}

/**
 * Where the payload starts when `data` is framed with `schemaId` and, with message indexes, the
 * common `[0]` (one 0 byte); -1 for anything else, which {@link unframe} then reads or refuses.
 */
export function commonPayloadOffset(data: Uint8Array, schemaId: number, withMessageIndexes: boolean): number {
  // Literals and few operations: this runs for every value read, and V8 inlines it by its size.
  if (
    data[0] !== 0 ||
    data.length < 5 ||
    ((data[1]! << 24) | (data[2]! << 16) | (data[3]! << 8) | data[4]!) >>> 0 !== schemaId
  )
    return -1;
  if (!withMessageIndexes) return 5;
  return data[5] === 0 ? 6 : -1;
}

/** Reads the frame of a value; throws `SERIALIZATION_ERROR` for bytes that are not framed. */
export function unframe(data: Uint8Array, withMessageIndexes: boolean): Frame {
  if (data.length < HEADER_SIZE) {
    throw new SerializationError(`Not in Confluent's wire format: ${data.length} bytes, fewer than the 5-byte header`);
  }
  if (data[0] !== MAGIC_BYTE) {
    throw new SerializationError(`Not in Confluent's wire format: magic byte ${data[0]}, expected 0`, {
      magicByte: data[0],
    });
  }
  const schemaId = ((data[1]! << 24) | (data[2]! << 16) | (data[3]! << 8) | data[4]!) >>> 0;
  if (!withMessageIndexes) return { schemaId, messageIndexes: undefined, payload: data.subarray(HEADER_SIZE) };
  // Read leniently: Confluent writes the index count first; the kafkajs client writes no indexes.
  // A Protobuf payload starts with a field tag, 0x08 or more (field numbers start at 1), and an
  // empty one is nothing at all; index counts 1 to 3 are 0x02 to 0x06 and [0] is 0x00. So bytes
  // that end at the header, or whose indexes do not parse while they start like a tag, are read as
  // an index-less payload, and ones that parse but start like a tag (four or more indexes) carry
  // the index-less reading too, for the serde to fall back to.
  if (data.length === HEADER_SIZE) return { schemaId, messageIndexes: [0], payload: data.subarray(HEADER_SIZE) };
  const mayBeIndexless = data[HEADER_SIZE]! >= 0x08;
  const reader = { data, at: HEADER_SIZE };
  let messageIndexes: number[];
  try {
    messageIndexes = readIndexes(reader, schemaId);
  } catch (err) {
    if (!mayBeIndexless) throw err;
    return { schemaId, messageIndexes: [0], payload: data.subarray(HEADER_SIZE) };
  }
  const frame: Frame = { schemaId, messageIndexes, payload: data.subarray(reader.at) };
  if (mayBeIndexless) frame.indexless = data.subarray(HEADER_SIZE);
  return frame;
}

function readIndexes(reader: { data: Uint8Array; at: number }, schemaId: number): number[] {
  const count = readZigzag(reader);
  if (count === 0) return [0];
  if (count < 0 || count > MAX_INDEXES) {
    throw new SerializationError(`Invalid Protobuf message index count ${count}`, { schemaId });
  }
  const messageIndexes: number[] = [];
  for (let i = 0; i < count; i++) {
    const index = readZigzag(reader);
    if (index < 0) throw new SerializationError(`Invalid Protobuf message index ${index}`, { schemaId });
    messageIndexes.push(index);
  }
  return messageIndexes;
}

/** The message-index bytes: `[0]` as one 0 byte, otherwise count and indexes as zigzag varints. */
export function encodeIndexes(indexes: readonly number[]): Uint8Array {
  if (indexes.length === 0 || (indexes.length === 1 && indexes[0] === 0)) return ZERO;
  const bytes: number[] = [];
  writeZigzag(bytes, indexes.length);
  for (const index of indexes) writeZigzag(bytes, index);
  return Uint8Array.from(bytes);
}

const ZERO = Uint8Array.of(0);

function writeZigzag(out: number[], value: number): void {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

function readZigzag(reader: { data: Uint8Array; at: number }): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (reader.at >= reader.data.length) throw new SerializationError('Truncated Protobuf message indexes');
    const byte = reader.data[reader.at++]!;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new SerializationError('Protobuf message index varint is too long');
  }
  return (result >>> 1) ^ -(result & 1);
}
