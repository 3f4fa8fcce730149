import { defaultPartition } from '../protocol/index.ts';
import { toBytes } from './convert.ts';
import type { ICustomPartitioner, PartitionerArgs } from './types.ts';

/** A partitioner the producer can tell when a batch of a topic was sent, to move a sticky choice on. */
export interface StickyAware {
  onNewBatch(topic: string): void;
}

/**
 * A built-in partitioner's direct entry: the producer has the key's bytes already and calls this
 * instead of building kafkajs's `{ topic, partitionMetadata, message }` for every record.
 */
export interface KeyBytesPartitioner {
  byKeyBytes(topic: string, partitionCount: number, key: Uint8Array | null): number;
}

type Partition = ((args: PartitionerArgs) => number) & Partial<StickyAware> & Partial<KeyBytesPartitioner>;

function createDefault(): Partition {
  const sticky = new Map<string, number>();
  const byKeyBytes = (topic: string, count: number, key: Uint8Array | null): number => {
    if (key !== null) return defaultPartition(key, count);
    // Keyless records stick to one partition until its batch is sent, as Kafka's sticky partitioner
    // does: fewer, larger batches than round-robin.
    let chosen = sticky.get(topic);
    if (chosen === undefined || chosen >= count) {
      chosen = Math.floor(Math.random() * count);
      sticky.set(topic, chosen);
    }
    return chosen;
  };
  const partition: Partition = ({ topic, partitionMetadata, message }) =>
    byKeyBytes(topic, partitionMetadata.length, toBytes(message.key, 'message key'));
  partition.byKeyBytes = byKeyBytes;
  partition.onNewBatch = (topic) => {
    const current = sticky.get(topic);
    if (current !== undefined) sticky.set(topic, current + 1);
  };
  return partition;
}

/**
 * The hash kafkajs 1.x's partitioner computes. It meant to be Kafka's murmur2 but multiplies in
 * floating point (so products past 2^53 lose bits) and reads the last, partial block of the key
 * twice (once as a zero-padded block, once as the tail). Reproduced as it is, so that records keep
 * the partitions a kafkajs 1.x producer gave their keys.
 */
export function legacyMurmur2(key: Uint8Array): number {
  const M = 0x5bd1e995;
  const length = key.length;
  let h = 0x9747b28c ^ length;
  const byte = (i: number) => (i < length ? key[i]! & 0xff : 0);
  for (let i = 0; i < length / 4; i++) {
    const i4 = i * 4;
    let k = byte(i4) + (byte(i4 + 1) << 8) + (byte(i4 + 2) << 16) + (byte(i4 + 3) << 24);
    k *= M;
    k ^= k >>> 24;
    k *= M;
    h *= M;
    h ^= k;
  }
  const tail = length & ~3;
  switch (length % 4) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: the tail bytes fold in from the last one down, as in murmur2
    case 3:
      h ^= byte(tail + 2) << 16;
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: as above
    case 2:
      h ^= byte(tail + 1) << 8;
    case 1:
      h ^= byte(tail);
      h *= M;
  }
  h ^= h >>> 13;
  h *= M;
  h ^= h >>> 15;
  return h;
}

/**
 * kafkajs 1.x's default partitioner (`Partitioners.LegacyPartitioner`): a keyed record goes where
 * a kafkajs 1.x producer sent it (by {@link legacyMurmur2}, which is not the Java client's hash), a
 * keyless record round-robin over the partitions (a counter per topic).
 */
function createLegacy(): Partition {
  const counters = new Map<string, number>();
  const byKeyBytes = (topic: string, count: number, key: Uint8Array | null): number => {
    if (key !== null) return (legacyMurmur2(key) & 0x7fffffff) % count;
    const next = counters.get(topic) ?? Math.floor(Math.random() * count);
    counters.set(topic, next + 1);
    return next % count;
  };
  const partition: Partition = ({ topic, partitionMetadata, message }) =>
    byKeyBytes(topic, partitionMetadata.length, toBytes(message.key, 'message key'));
  partition.byKeyBytes = byKeyBytes;
  return partition;
}

/**
 * The partitioners a producer can use, by kafkajs's names. `DefaultPartitioner` (and its old name
 * `JavaCompatiblePartitioner`) sends a keyed record where Kafka's Java client would
 * (`murmur2(key) & 0x7fffffff % partitions`) and keyless records to a sticky partition that moves
 * on with every batch.
 *
 * @example
 * tributary.producer({ createPartitioner: Partitioners.DefaultPartitioner });
 */
export const Partitioners: {
  DefaultPartitioner: ICustomPartitioner;
  JavaCompatiblePartitioner: ICustomPartitioner;
  LegacyPartitioner: ICustomPartitioner;
} = {
  DefaultPartitioner: createDefault,
  JavaCompatiblePartitioner: createDefault,
  LegacyPartitioner: createLegacy,
};
