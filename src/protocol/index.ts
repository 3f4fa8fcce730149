/**
 * Tributary's wire and storage codecs: RecordBatch v2, varints, CRC-32C, compression, control
 * records and Kafka's murmur2 partitioner. Pure functions over bytes, no I/O. Internal to the
 * package: the log and the clients import from here; users import from `src/index.ts`.
 *
 * @example
 * import { decodeRecordBatch, encodeRecordBatch } from '../protocol/index.ts';
 */

export {
  type CompressionCodec,
  compressionCodecFromId,
  compressionCodecId,
  COMPRESSION_CODECS,
} from './compression.ts';
export {
  type ControlBatchInput,
  type ControlRecord,
  decodeControlRecord,
  encodeControlBatch,
  type TransactionMarker,
} from './control-record.ts';
export { type Crc32cFunction, type Crc32cImplementation, crc32c, crc32cImplementation } from './crc32c.ts';
export { murmur2 } from './murmur2.ts';
export { defaultPartition, toPositive } from './partitioner.ts';
export {
  type BatchContext,
  type BatchHeader,
  type BatchInput,
  type DecodedBatch,
  type DecodedRecord,
  type DecodeOptions,
  decodeRecordBatch,
  encodeRecordBatch,
  encodeRecordBatchInSlices,
  estimateRecordSize,
  MAX_RECORD_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  type RecordHeader,
  type RecordInput,
  RecordBatchBuilder,
  readBatchHeader,
  type ScannedBatch,
  scanRecordBatch,
  setBaseOffset,
  setLogAppendTime,
  type TimestampType,
  verifyBatchCrc,
  withBaseOffset,
} from './record-batch.ts';
export {
  type Cursor,
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
} from './varint.ts';
