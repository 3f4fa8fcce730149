/**
 * Kafka Streams' `ThreadMetadata` and `TaskMetadata` (`KafkaStreams.metadataForLocalThreads()`):
 * what a health check or an operator's page shows of an instance — its stream thread's state and,
 * per active task, the input partitions with their committed and end offsets. Offsets are keyed
 * by `topic-partition`, as Kafka prints a TopicPartition.
 *
 * @example
 * for (const thread of streams.metadataForLocalThreads())
 *   for (const task of thread.activeTasks)
 *     for (const [tp, end] of task.endOffsets) console.log(task.taskId, tp, end - (task.committedOffsets.get(tp) ?? 0));
 */
import type { Running } from './runtime/task-manager.ts';

/** A stream thread's state, in Kafka's names (`StreamThread.State`). */
export type StreamThreadState =
  | 'CREATED'
  | 'STARTING'
  | 'PARTITIONS_REVOKED'
  | 'PARTITIONS_ASSIGNED'
  | 'RUNNING'
  | 'PENDING_SHUTDOWN'
  | 'DEAD';

/** One active task of the thread (Kafka's `TaskMetadata`). */
export interface TaskMetadata {
  /** `<subtopology>_<partition>`. */
  readonly taskId: string;
  readonly topicPartitions: readonly { topic: string; partition: number }[];
  /** The offset the app has committed for each input partition (`topic-partition`). */
  readonly committedOffsets: ReadonlyMap<string, number>;
  /** Each input partition's end as last seen (its high watermark, or last stable offset with exactly-once). */
  readonly endOffsets: ReadonlyMap<string, number>;
}

/** The stream thread and its tasks (Kafka's `ThreadMetadata`). */
export interface ThreadMetadata {
  readonly threadName: string;
  readonly threadState: StreamThreadState;
  readonly activeTasks: readonly TaskMetadata[];
  /** Always empty: Tributary keeps no standby replicas. */
  readonly standbyTasks: readonly TaskMetadata[];
}

/** The metadata of a running task, from its inputs and what `end` tells of each partition. */
export function taskMetadata(
  { task, inputs }: Running,
  end: (topic: string, partition: number) => number,
): TaskMetadata {
  const key = (topic: string, partition: number) => `${topic}-${partition}`;
  return {
    taskId: task.id,
    topicPartitions: inputs.map(({ topic, partition }) => ({ topic, partition })),
    committedOffsets: new Map(inputs.map((i) => [key(i.topic, i.partition), i.committed])),
    endOffsets: new Map(inputs.map((i) => [key(i.topic, i.partition), end(i.topic, i.partition)])),
  };
}
