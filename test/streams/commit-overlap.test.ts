/**
 * The stream thread goes on processing while its last commit is being written (over the wire a
 * Kafka transaction takes several round trips): past `maxUncommittedRecords`, up to four times as
 * many, and not further until that commit is done.
 */
import { describe, expect, it } from 'vitest';
import { type AppendResult, openLog, type PartitionAppend, type WriteOptions } from '../../src/log/index.ts';
import { KafkaStreams, StreamsBuilder } from '../../src/streams/index.ts';
import { S, until } from './helpers.ts';

const enc = new TextEncoder();

describe('processing while a commit is being written', () => {
  it('shouldGoOnProcessingPastAFullCollectorWhileTheLastCommitIsWrittenAndStopAtFourTimesIt', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'in', numPartitions: 1 });
    await log.createTopic({ topic: 'out', numPartitions: 1 });
    await log.append(
      'in',
      0,
      Array.from({ length: 500 }, (_, i) => ({ key: enc.encode(`k${i}`), value: enc.encode('v') })),
    );
    // The first commit's write (the one with sink records) is held until released.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    let heldNow = false;
    const write = log.write.bind(log);
    log.write = async (appends: PartitionAppend[], options?: WriteOptions): Promise<AppendResult[]> => {
      if (!holding && appends.some((a) => a.topic === 'out')) {
        holding = true;
        heldNow = true;
        await held;
        heldNow = false;
      }
      return write(appends, options);
    };
    let processed = 0;
    let mostWhileHeld = 0;
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S })
      .peek(() => {
        processed++;
        if (heldNow) mostWhileHeld = processed;
      })
      .to('out', { keySerde: S, valueSerde: S });
    const streams = new KafkaStreams(b.build(), {
      applicationId: 'overlap',
      log,
      maxUncommittedRecords: 10,
      cacheMaxBytes: 0,
    });
    await streams.start();
    // The first commit goes out at 11 records; the next 41 are processed while it is held.
    await until(() => processed >= 40);
    expect(heldNow).toBe(true);
    release();
    await streams.waitForIdle();
    expect(processed).toBe(500);
    expect(mostWhileHeld).toBeGreaterThanOrEqual(40);
    expect(mostWhileHeld).toBeLessThanOrEqual(11 + 4 * 10 + 1);
    const out = await log.read('out', 0, 0, { maxBytes: 1 << 20 });
    expect(out.records).toHaveLength(500);
    await streams.close();
    await log.close();
  });
});
