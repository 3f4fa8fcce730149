import { describe, expect, it } from 'vitest';
import type { ReadOptions } from '../../../src/log/index.ts';
import { openLog } from '../../../src/log/index.ts';
import { KafkaStreams, StreamsBuilder } from '../../../src/streams/index.ts';
import { S } from '../helpers.ts';

describe("the stream thread's reads of its inputs on the embedded log", () => {
  it('should read whole batches of up to 64 KiB at a time (what a read decodes lives until it is processed) and lose none', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'in', numPartitions: 1 });
    await log.createTopic({ topic: 'out', numPartitions: 1 });
    const enc = new TextEncoder();
    // 40 batches of 100 records of about 110 bytes: 11 KiB a batch, 440 KiB in all.
    const value = enc.encode('v'.repeat(100));
    for (let b = 0; b < 40; b++)
      await log.append(
        'in',
        0,
        Array.from({ length: 100 }, (_, i) => ({ key: enc.encode(`k${b * 100 + i}`), value, timestamp: b * 100 + i })),
      );
    const reads: { options: ReadOptions | undefined; records: number; batches: Set<number> }[] = [];
    const read = log.read.bind(log);
    log.read = async (topic: string, partition: number, offset: number, options?: ReadOptions) => {
      const result = await read(topic, partition, offset, options);
      if (topic === 'in')
        reads.push({
          options,
          records: result.records.length,
          batches: new Set(result.records.map((r) => Math.floor(r.offset / 100))),
        });
      return result;
    };
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).to('out', { keySerde: S, valueSerde: S });
    const streams = new KafkaStreams(b.build(), { applicationId: 'input-reads', log });
    await streams.start();
    await streams.waitForIdle();
    await streams.close();

    expect(log.offsets('out', 0).highWatermark).toBe(4000);
    const nonEmpty = reads.filter((r) => r.records > 0);
    expect(nonEmpty.length).toBeGreaterThanOrEqual(7);
    for (const r of nonEmpty) {
      expect(r.options?.maxBytes).toBe(64 * 1024);
      // Whole batches: the budget is reached within the sixth batch of 11 KiB.
      expect(r.records % 100).toBe(0);
      expect(r.batches.size).toBeLessThanOrEqual(6);
    }
    expect(nonEmpty.reduce((n, r) => n + r.records, 0)).toBe(4000);
    await log.close();
  });
});
