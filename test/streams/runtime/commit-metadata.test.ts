/**
 * What a task commits beside its input offsets (Kafka's TopicPartitionMetadata), on a real log:
 * each partition's time and the processors' metadata go into the commit and come back when the
 * app restarts, as Kafka's StreamTaskTest checks (shouldReadCommittedStreamTimeAndProcessorMetadataOnInitialize,
 * shouldCommitNextOffsetAndProcessorMetadataFromQueueIfAvailable).
 */
import { describe, expect, it } from 'vitest';
import { openLog } from '../../../src/log/index.ts';
import {
  EmitStrategy,
  KafkaStreams,
  type ProcessorContext,
  StreamsBuilder,
  TimeWindows,
  type TimestampExtractor,
  WindowedSerdes,
} from '../../../src/streams/index.ts';
import { decodePartitionMetadata } from '../../../src/streams/internal/commit-metadata.ts';
import { readCommittedOffsets } from '../../../src/streams/internal/offsets.ts';
import { L, S, windowedCounts } from '../helpers.ts';

const enc = new TextEncoder();

async function newLog(topics: string[]) {
  const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  for (const topic of topics) await log.createTopic({ topic, numPartitions: 1 });
  const send = (topic: string, key: string, timestamp: number) =>
    log.append(topic, 0, [{ key: enc.encode(key), value: enc.encode('x'), timestamp }]);
  return { log, send };
}

async function runOnce(app: () => KafkaStreams): Promise<void> {
  const streams = app();
  await streams.start();
  await streams.waitForIdle();
  await streams.close();
}

describe('the metadata committed beside input offsets', () => {
  it('should commit each partition’s time (the largest timestamp processed from it) in Kafka’s layout', async () => {
    const { log, send } = await newLog(['events', 'out']);
    for (const ts of [5, 30, 20]) await send('events', 'a', ts);
    const b = new StreamsBuilder();
    b.stream('events', { keySerde: S, valueSerde: S }).to('out', { keySerde: S, valueSerde: S });
    await runOnce(() => new KafkaStreams(b.build(), { applicationId: 'times', log }));
    const committed = (await readCommittedOffsets(log, 'times')).get('events:0')!;
    expect(committed.offset).toBe(3);
    const decoded = decodePartitionMetadata(committed.metadata);
    expect(decoded.partitionTime).toBe(30);
    expect(decoded.processorMetadata.size).toBe(0);
  });

  it('should restore the stream time on restart: stream-time punctuation fires at it before any new record', async () => {
    const { log, send } = await newLog(['events']);
    for (const ts of [5, 30]) await send('events', 'a', ts);
    const punctuated: number[] = [];
    const atInit: number[] = [];
    const app = () => {
      const b = new StreamsBuilder();
      b.stream('events', { keySerde: S, valueSerde: S }).process(() => ({
        init(ctx: ProcessorContext) {
          atInit.push(ctx.currentStreamTimeMs());
          ctx.schedule(10, 'STREAM_TIME', (t) => punctuated.push(t));
        },
        process() {},
      }));
      return new KafkaStreams(b.build(), { applicationId: 'punctuate', log });
    };
    await runOnce(app);
    expect(punctuated).toEqual([5, 30]);
    await runOnce(app);
    // Kafka's task restores the time before its processors init, and its loop punctuates on it.
    expect(atInit).toEqual([-1, 30]);
    expect(punctuated).toEqual([5, 30, 30]);
  });

  it('should hand a timestamp extractor its partition’s time, not the task’s', async () => {
    const { log, send } = await newLog(['left', 'right']);
    await send('left', 'a', 10);
    await send('left', 'a', 100);
    await send('right', 'a', 50);
    const seen: string[] = [];
    const extractor: TimestampExtractor = (record, partitionTime) => {
      seen.push(`${record.topic}@${record.timestamp} ${partitionTime}`);
      return record.timestamp;
    };
    const b = new StreamsBuilder();
    b.stream(['left', 'right'], { keySerde: S, valueSerde: S, timestampExtractor: extractor }).foreach(() => {});
    await runOnce(() => new KafkaStreams(b.build(), { applicationId: 'extract', log }));
    expect(seen.sort()).toEqual(['left@10 -1', 'left@100 10', 'right@50 -1']);
  });
});

describe('emit on window close across a restart (Kafka’s lastEmitWindowCloseTime in the processor metadata)', () => {
  const WS = WindowedSerdes.timeWindowedSerdeFrom(S, 10);
  const app = (log: Awaited<ReturnType<typeof newLog>>['log']) => {
    const b = new StreamsBuilder();
    b.stream('events', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count({ materialized: 'counts' })
      .toStream()
      .to('out', { keySerde: WS, valueSerde: L });
    return new KafkaStreams(b.build(), { applicationId: 'close', log, windowedAggregationEmitIntervalMs: 0 });
  };

  it('should not emit again a window that closed and was emitted before the restart', async () => {
    const { log, send } = await newLog(['events', 'out']);
    for (const ts of [1, 2, 11]) await send('events', 'a', ts);
    await runOnce(() => app(log));
    const meta = decodePartitionMetadata((await readCommittedOffsets(log, 'close')).get('events:0')!.metadata);
    expect(meta.partitionTime).toBe(11);
    expect(meta.processorMetadata.get('counts')).toBe(11);
    for (const ts of [12, 25]) await send('events', 'a', ts);
    await runOnce(() => app(log));
    expect(await windowedCounts(log, 'out', WS)).toEqual([
      ['a', 0, 2, 2],
      ['a', 10, 2, 12],
    ]);
  });
});
