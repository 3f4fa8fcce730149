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
} = {
  DefaultPartitioner: createDefault,
  JavaCompatiblePartitioner: createDefault,
};
