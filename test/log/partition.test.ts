/**
 * A partition's producer bookkeeping (producers, open transactions, aborted transactions) is made
 * at its first write: most partitions never see an idempotent or transactional producer. What must
 * hold: an untouched partition reads as empty, a write shows in the reads, and no two partitions
 * ever share a map.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPIC_CONFIG } from '../../src/log/config.ts';
import { type TopicState, PartitionState } from '../../src/log/partition.ts';
import { expireProducers, isAborted, rememberBatch } from '../../src/log/producers.ts';

function topic(partitions: number): TopicState {
  const t: TopicState = {
    name: 't',
    topicId: 7,
    overrides: {},
    config: { ...DEFAULT_TOPIC_CONFIG },
    partitions: [],
    deleted: false,
  };
  const stored = { logStartOffset: 0, nextOffset: 0, sizeBytes: 0, cleanedUpTo: 0, dirtyBytes: 0 };
  for (let p = 0; p < partitions; p++) t.partitions.push(new PartitionState(t, p, stored, -1));
  return t;
}

describe('PartitionState producer bookkeeping', () => {
  it('should read as empty before any producer wrote', () => {
    const [p] = topic(1).partitions;
    expect(p!.producers.size).toBe(0);
    expect(p!.openTransactions.size).toBe(0);
    expect(p!.aborted.size).toBe(0);
    expect(p!.lastStableOffset).toBe(0);
    expect(isAborted(p!, 1, 0)).toBe(false);
    // Expiring producers of an untouched partition deletes nothing and makes nothing.
    expect(expireProducers(p!, 1_000_000, 1)).toEqual([]);
    expect(p!.producers.size).toBe(0);
  });

  it('should show a write in the reads, on that partition only', () => {
    const [a, b] = topic(2).partitions;
    const stamp = { producerId: 42, producerEpoch: 0, baseSequence: 0, isTransactional: true };
    rememberBatch(a!, stamp, 3, 10, 1_000);
    expect(a!.producers.get(42)?.batches).toEqual([
      { baseSequence: 0, lastSequence: 2, baseOffset: 10, lastOffset: 12 },
    ]);
    expect(a!.openTransactions.get(42)).toBe(10);
    a!.abortedToWrite().set(42, [{ producerId: 42, firstOffset: 10, lastOffset: 13 }]);
    expect(isAborted(a!, 42, 11)).toBe(true);
    // The other partition, and a new one, still read as empty: nothing is shared.
    for (const other of [b!, topic(1).partitions[0]!]) {
      expect(other.producers.size).toBe(0);
      expect(other.openTransactions.size).toBe(0);
      expect(other.aborted.size).toBe(0);
    }
    // The map written is the map read.
    expect(a!.producersToWrite()).toBe(a!.producers);
  });

  it('should expire an idle producer without an open transaction', () => {
    const [p] = topic(1).partitions;
    rememberBatch(p!, { producerId: 5, producerEpoch: 0, baseSequence: 0 }, 1, 0, 1_000);
    const ops = expireProducers(p!, 1_000 + 60_000, 60_000);
    expect(ops).toHaveLength(1);
    expect(p!.producers.size).toBe(0);
  });
});
