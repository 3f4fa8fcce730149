/**
 * Control records: the transaction markers a control batch carries. As in Kafka, the key is
 * `version int16 (0), type int16 (0 = ABORT, 1 = COMMIT)` and the value of a marker is
 * `version int16 (0), coordinatorEpoch int32`. Consumers never see these records; they decide
 * which transactional records are visible (read_committed).
 */

import { TributaryError } from '../errors.ts';
import { encodeRecordBatch } from './record-batch.ts';

/** The marker a transaction ends with. */
export type TransactionMarker = 'ABORT' | 'COMMIT';

/**
 * A transaction marker batch to encode.
 *
 * @example
 * const input: ControlBatchInput = { baseOffset: 42, producerId: 7, producerEpoch: 0, marker: 'COMMIT', timestamp: Date.now() };
 */
export interface ControlBatchInput {
  baseOffset: number;
  producerId: number;
  producerEpoch: number;
  marker: TransactionMarker;
  timestamp: number;
  /** The transaction coordinator's epoch; default 0 (one in-process coordinator). */
  coordinatorEpoch?: number;
  /** Default -1. */
  partitionLeaderEpoch?: number;
}

/**
 * A decoded control record. `type` is `'ABORT'` or `'COMMIT'` for transaction markers and
 * `'UNKNOWN'` for other control types (KRaft's, for instance), whose `typeId` says which.
 */
export interface ControlRecord {
  version: number;
  type: TransactionMarker | 'UNKNOWN';
  typeId: number;
  /** The marker's coordinator epoch; -1 for control types other than markers. */
  coordinatorEpoch: number;
}

const ABORT = 0;
const COMMIT = 1;

/**
 * Encodes a control batch holding one transaction marker (transactional and control bits set),
 * appended to a partition when a transaction commits or aborts.
 *
 * Throws `INVALID_RECORD` for out-of-range numbers, as {@link encodeRecordBatch} does, and for a
 * coordinatorEpoch that is not an int32.
 *
 * @example
 * const marker = encodeControlBatch({ baseOffset: 0, producerId: 7, producerEpoch: 0, marker: 'COMMIT', timestamp: now });
 */
export function encodeControlBatch(input: ControlBatchInput): Uint8Array {
  if (input.marker !== 'COMMIT' && input.marker !== 'ABORT') {
    throw new TypeError(`marker must be 'COMMIT' or 'ABORT'; got ${String(input.marker)}`);
  }
  const coordinatorEpoch = input.coordinatorEpoch ?? 0;
  if (!Number.isInteger(coordinatorEpoch) || coordinatorEpoch < -0x80000000 || coordinatorEpoch > 0x7fffffff) {
    throw new TributaryError('INVALID_RECORD', `coordinatorEpoch must be an int32; got ${coordinatorEpoch}`);
  }
  const key = new Uint8Array(4);
  key[3] = input.marker === 'COMMIT' ? COMMIT : ABORT;
  const value = new Uint8Array(6);
  new DataView(value.buffer).setInt32(2, coordinatorEpoch);
  return encodeRecordBatch({
    baseOffset: input.baseOffset,
    partitionLeaderEpoch: input.partitionLeaderEpoch,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    isTransactional: true,
    isControl: true,
    records: [{ key, value, timestamp: input.timestamp }],
  });
}

/**
 * Decodes the key and value of a record from a control batch (`header.isControl`).
 *
 * Throws `CORRUPT_MESSAGE` when the key is shorter than 4 bytes or a marker's value shorter than
 * 6 bytes.
 *
 * @example
 * const batch = decodeRecordBatch(bytes);
 * if (batch.isControl) {
 *   const { type } = decodeControlRecord(batch.records[0]!);
 *   if (type === 'ABORT') dropTransaction(batch.producerId);
 * }
 */
export function decodeControlRecord(record: { key: Uint8Array | null; value: Uint8Array | null }): ControlRecord {
  const key = record.key;
  if (key === null || key.length < 4)
    throw new TributaryError('CORRUPT_MESSAGE', 'A control record key needs 4 bytes (version, type)');
  const keyView = new DataView(key.buffer, key.byteOffset, key.length);
  const version = keyView.getInt16(0);
  const typeId = keyView.getInt16(2);
  if (typeId !== ABORT && typeId !== COMMIT) return { version, type: 'UNKNOWN', typeId, coordinatorEpoch: -1 };
  const value = record.value;
  if (value === null || value.length < 6) {
    throw new TributaryError('CORRUPT_MESSAGE', 'A transaction marker value needs 6 bytes (version, coordinatorEpoch)');
  }
  const coordinatorEpoch = new DataView(value.buffer, value.byteOffset, value.length).getInt32(2);
  return { version, type: typeId === COMMIT ? 'COMMIT' : 'ABORT', typeId, coordinatorEpoch };
}
