/**
 * Kafka Streams' TopicPartitionMetadataTest and ProcessorMetadataTest, in this project's words: the
 * metadata a task commits beside each input offset, in Kafka's layout.
 */
import { describe, expect, it } from 'vitest';
import {
  decodePartitionMetadata,
  encodePartitionMetadata,
  ProcessorMetadata,
  UNKNOWN_TIME,
} from '../../../src/streams/internal/commit-metadata.ts';

/** The bytes Kafka's encode writes, spelled out: version, partition time, then the processor part. */
function kafkaBytes(version: number, time: bigint, entries: [string, bigint][] = []): string {
  const parts: Buffer[] = [Buffer.from([version])];
  const t = Buffer.alloc(8);
  t.writeBigInt64BE(time);
  parts.push(t);
  if (entries.length > 0) {
    const n = Buffer.alloc(4);
    n.writeInt32BE(entries.length);
    parts.push(n);
    for (const [k, v] of entries) {
      const key = Buffer.from(k, 'utf8');
      const head = Buffer.alloc(4);
      head.writeInt32BE(key.length);
      const value = Buffer.alloc(8);
      value.writeBigInt64BE(v);
      parts.push(head, key, value);
    }
  }
  return Buffer.concat(parts).toString('base64');
}

const entries = (m: ProcessorMetadata) => Object.fromEntries(m.entries());

describe('TopicPartitionMetadata (the committed offset metadata)', () => {
  it('should encode version 2 as Kafka does: magic, partition time, processor metadata, in base64', () => {
    const meta = new ProcessorMetadata([['some_key', 100]]);
    expect(encodePartitionMetadata(100, meta)).toBe(kafkaBytes(2, 100n, [['some_key', 100n]]));
    expect(encodePartitionMetadata(100, new ProcessorMetadata())).toBe(kafkaBytes(2, 100n));
    expect(encodePartitionMetadata(UNKNOWN_TIME, new ProcessorMetadata())).toBe(kafkaBytes(2, -1n));
  });

  it('should decode version one (a partition time alone)', () => {
    const decoded = decodePartitionMetadata(kafkaBytes(1, 100n));
    expect(decoded.partitionTime).toBe(100);
    expect(decoded.processorMetadata.size).toBe(0);
  });

  it('should encode and decode version two, with and without processor metadata', () => {
    const meta = new ProcessorMetadata([['some_key', 100]]);
    const decoded = decodePartitionMetadata(encodePartitionMetadata(100, meta));
    expect(decoded.partitionTime).toBe(100);
    expect(entries(decoded.processorMetadata)).toEqual({ some_key: 100 });
    const empty = decodePartitionMetadata(encodePartitionMetadata(100, new ProcessorMetadata()));
    expect(empty.partitionTime).toBe(100);
    expect(empty.processorMetadata.size).toBe(0);
  });

  it('should decode an empty string, a missing value, an unknown version and text that is not base64 as an unknown time', () => {
    for (const encoded of ['', null, undefined, Buffer.from([3]).toString('base64'), '{}']) {
      const decoded = decodePartitionMetadata(encoded);
      expect(decoded.partitionTime).toBe(UNKNOWN_TIME);
      expect(decoded.processorMetadata.size).toBe(0);
    }
  });

  it('should keep the partition time when the processor part is cut short, as Kafka does', () => {
    const whole = Buffer.from(kafkaBytes(2, 42n, [['k', 7n]]), 'base64');
    const decoded = decodePartitionMetadata(whole.subarray(0, whole.length - 3).toString('base64'));
    expect(decoded.partitionTime).toBe(42);
    expect(decoded.processorMetadata.size).toBe(0);
  });
});

describe('ProcessorMetadata', () => {
  it('should add and get values, with and without existing ones', () => {
    const meta = new ProcessorMetadata();
    meta.put('some_key', 100);
    expect(meta.get('some_key')).toBe(100);
    expect(meta.get('no_key')).toBeUndefined();
    const existing = new ProcessorMetadata([
      ['key1', 1],
      ['key2', 2],
    ]);
    expect([existing.get('key1'), existing.get('key2'), existing.get('key3')]).toEqual([1, 2, undefined]);
    existing.put('key3', 3);
    expect(existing.get('key3')).toBe(3);
  });

  it('should serialize and deserialize, and deserialize nothing as empty', () => {
    const meta = new ProcessorMetadata();
    meta.put('key1', 1);
    meta.put('key2', 2);
    meta.put('key3', 3);
    expect(entries(ProcessorMetadata.deserialize(meta.serialize()))).toEqual({ key1: 1, key2: 2, key3: 3 });
    expect(ProcessorMetadata.deserialize(null).size).toBe(0);
    expect(new ProcessorMetadata().serialize()).toHaveLength(0);
  });

  it('should update each key to the larger of the two values', () => {
    const meta = new ProcessorMetadata();
    meta.update(undefined);
    expect(meta.size).toBe(0);
    meta.update(
      new ProcessorMetadata([
        ['key1', 1],
        ['key2', 2],
      ]),
    );
    expect(entries(meta)).toEqual({ key1: 1, key2: 2 });
    meta.update(
      new ProcessorMetadata([
        ['key1', 0],
        ['key2', 1],
      ]),
    );
    expect(entries(meta)).toEqual({ key1: 1, key2: 2 });
    meta.update(
      new ProcessorMetadata([
        ['key1', 2],
        ['key2', 3],
      ]),
    );
    expect(entries(meta)).toEqual({ key1: 2, key2: 3 });
  });

  it('should need a commit after a put or when told, and not after an update alone', () => {
    const meta = new ProcessorMetadata();
    expect(meta.needsCommit).toBe(false);
    meta.needsCommit = true;
    expect(meta.needsCommit).toBe(true);
    meta.needsCommit = false;
    meta.update(new ProcessorMetadata([['key1', 2]]));
    expect(meta.needsCommit).toBe(false);
    meta.put('key1', 1);
    expect(meta.needsCommit).toBe(true);
  });
});
