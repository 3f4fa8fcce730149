/**
 * `KafkaStreams.metadataForLocalThreads()`, as Kafka's StreamThread metadata tests read it: the
 * thread's state follows the instance's, each active task lists its input partitions, and its
 * committed and end offsets tell the lag a health check looks for.
 */
import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { KafkaStreams, StreamsBuilder } from '../../src/streams/index.ts';
import { S } from './helpers.ts';

const enc = new TextEncoder();

describe('metadataForLocalThreads', () => {
  it("should show the thread's state and each task's inputs with committed and end offsets", async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    try {
      await log.createTopic({ topic: 'in', numPartitions: 2 });
      await log.createTopic({ topic: 'out', numPartitions: 2 });
      const append = (partition: number, n: number) =>
        log.append(
          'in',
          partition,
          Array.from({ length: n }, (_, i) => ({ key: enc.encode(`k${i}`), value: enc.encode('v') })),
        );
      await append(0, 3);
      await append(1, 1);
      const b = new StreamsBuilder();
      b.stream('in', { keySerde: S, valueSerde: S }).to('out', { keySerde: S, valueSerde: S });
      const streams = new KafkaStreams(b.build(), { applicationId: 'meta', log });
      expect(streams.metadataForLocalThreads()).toMatchObject([{ threadState: 'CREATED', activeTasks: [] }]);
      await streams.start();
      await streams.waitForIdle();
      const [thread] = streams.metadataForLocalThreads();
      expect(thread!.threadName).toMatch(/^meta-.*-StreamThread-1$/);
      expect(thread!.threadState).toBe('RUNNING');
      expect(thread!.standbyTasks).toEqual([]);
      const tasks = thread!.activeTasks.map((t) => ({
        id: t.taskId,
        partitions: t.topicPartitions,
        committed: Object.fromEntries(t.committedOffsets),
        end: Object.fromEntries(t.endOffsets),
      }));
      expect(tasks).toEqual([
        { id: '0_0', partitions: [{ topic: 'in', partition: 0 }], committed: { 'in-0': 3 }, end: { 'in-0': 3 } },
        { id: '0_1', partitions: [{ topic: 'in', partition: 1 }], committed: { 'in-1': 1 }, end: { 'in-1': 1 } },
      ]);
      // Paused, the instance falls behind: the end moves, the committed offset does not.
      streams.pause();
      await append(0, 2);
      const lag = streams
        .metadataForLocalThreads()[0]!
        .activeTasks.map(
          (t) =>
            t.endOffsets.get(`in-${t.topicPartitions[0]!.partition}`)! -
            t.committedOffsets.get(`in-${t.topicPartitions[0]!.partition}`)!,
        );
      expect(lag).toEqual([2, 0]);
      streams.resume();
      await streams.waitForIdle();
      await streams.close();
      expect(streams.metadataForLocalThreads()).toMatchObject([{ threadState: 'DEAD', activeTasks: [] }]);
    } finally {
      await log.close();
    }
  });
});
