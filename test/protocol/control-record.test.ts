import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { decodeControlRecord, encodeControlBatch } from '../../src/protocol/control-record.ts';
import { decodeRecordBatch, readBatchHeader, verifyBatchCrc } from '../../src/protocol/record-batch.ts';

describe('control records', () => {
  it.each([
    ['COMMIT', 1],
    ['ABORT', 0],
  ] as const)('should write a %s marker as Kafka lays it out', (marker, typeId) => {
    const bytes = encodeControlBatch({
      baseOffset: 9,
      producerId: 77,
      producerEpoch: 3,
      marker,
      coordinatorEpoch: 5,
      timestamp: 1000,
    });
    expect(verifyBatchCrc(bytes)).toBe(true);
    const batch = decodeRecordBatch(bytes);
    expect(batch.isControl).toBe(true);
    expect(batch.isTransactional).toBe(true);
    expect(batch.producerId).toBe(77);
    expect(batch.producerEpoch).toBe(3);
    expect(batch.baseSequence).toBe(-1);
    expect(batch.records).toHaveLength(1);
    const record = batch.records[0]!;
    expect(record.offset).toBe(9);
    expect(record.timestamp).toBe(1000);
    // key: version int16 0, type int16; value: version int16 0, coordinatorEpoch int32.
    expect([...record.key!]).toEqual([0, 0, 0, typeId]);
    expect([...record.value!]).toEqual([0, 0, 0, 0, 0, 5]);
    expect(decodeControlRecord(record)).toEqual({ version: 0, type: marker, typeId, coordinatorEpoch: 5 });
  });

  it('should default the coordinator epoch to 0 when none is given', () => {
    const bytes = encodeControlBatch({
      baseOffset: 0,
      producerId: 1,
      producerEpoch: 0,
      marker: 'COMMIT',
      timestamp: 0,
    });
    expect(decodeControlRecord(decodeRecordBatch(bytes).records[0]!).coordinatorEpoch).toBe(0);
    expect(readBatchHeader(bytes).partitionLeaderEpoch).toBe(-1);
  });

  it('should report UNKNOWN when the control type is not a transaction marker', () => {
    const record = { key: Uint8Array.of(0, 0, 0, 2), value: Uint8Array.of(0, 0, 0, 0) };
    expect(decodeControlRecord(record)).toEqual({ version: 0, type: 'UNKNOWN', typeId: 2, coordinatorEpoch: -1 });
  });

  it('should read a negative coordinator epoch when the marker carries one', () => {
    const bytes = encodeControlBatch({
      baseOffset: 0,
      producerId: 1,
      producerEpoch: 0,
      marker: 'ABORT',
      coordinatorEpoch: -1,
      timestamp: 0,
    });
    expect(decodeControlRecord(decodeRecordBatch(bytes).records[0]!).coordinatorEpoch).toBe(-1);
  });

  it('should throw CORRUPT_MESSAGE when the key or value is too short', () => {
    const cases = [
      { key: null, value: null },
      { key: Uint8Array.of(0, 0, 1), value: null },
      { key: Uint8Array.of(0, 0, 0, 1), value: Uint8Array.of(0, 0, 0) },
      { key: Uint8Array.of(0, 0, 0, 0), value: null },
    ];
    for (const record of cases) {
      try {
        decodeControlRecord(record);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(TributaryError);
        expect((err as TributaryError).code).toBe('CORRUPT_MESSAGE');
      }
    }
  });

  it('should throw INVALID_RECORD when the producer id is missing', () => {
    try {
      encodeControlBatch({ baseOffset: 0, producerId: -1, producerEpoch: 0, marker: 'COMMIT', timestamp: 0 });
      expect.unreachable();
    } catch (err) {
      expect((err as TributaryError).code).toBe('INVALID_RECORD');
    }
  });

  it('should throw TypeError when the marker is neither COMMIT nor ABORT', () => {
    expect(() =>
      encodeControlBatch({ baseOffset: 0, producerId: 1, producerEpoch: 0, marker: 'DONE' as 'COMMIT', timestamp: 0 }),
    ).toThrow(TypeError);
  });
});
