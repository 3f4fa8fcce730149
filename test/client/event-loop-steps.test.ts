/**
 * A group consumer on a 10,000-partition topic never holds the event loop for long: topic
 * creation, the first send, the join and assignment, the start of 10,000 partition fetchers with
 * their committed offsets, the commit of 10,000 offsets and the leave each work in slices.
 *
 * A step's cost is measured by {@link StallMonitor}: the CPU time the thread ran between two
 * turns of the event loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Tributary } from '../../src/index.ts';
import { StallMonitor } from './fixtures/stall-monitor.ts';
import { until } from './helpers.ts';

const PARTITIONS = 10_000;
const LIMIT_MS = 50;
const root = mkdtempSync(join(tmpdir(), 'tributary-event-loop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('event loop with a 10,000-partition topic', () => {
  it(`should never run more than ${LIMIT_MS} ms without a turn of the loop, from topic creation to the group's leave`, async () => {
    const monitor = new StallMonitor();
    const tributary = new Tributary({ dataDir: join(root, 'big'), clientId: 'steps', logLevel: 0 });
    const admin = tributary.admin();
    await admin.connect();

    await monitor.enter('createTopics');
    await admin.createTopics({ topics: [{ topic: 'big', numPartitions: PARTITIONS }] });

    await monitor.enter('send');
    const producer = tributary.producer();
    await producer.connect();
    // One record on every hundredth partition.
    await producer.send({
      topic: 'big',
      messages: Array.from({ length: 100 }, (_, i) => ({ value: `v${i}`, partition: i * 100 })),
    });

    await monitor.enter('join, assign and start 10,000 fetchers');
    const consumer = tributary.consumer({ groupId: 'steps' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'big', fromBeginning: true });
    let seen = 0;
    await consumer.run({
      eachMessage: async () => {
        seen++;
      },
    });
    await until(() => seen === 100, 'every record');

    await monitor.enter('commit and leave');
    await consumer.disconnect();
    const [offsets] = await admin.fetchOffsets({ groupId: 'steps', topics: ['big'] });
    const past = offsets!.partitions.filter((p) => p.partition % 100 === 0).map((p) => p.offset);
    expect(past).toEqual(Array(100).fill('1'));

    await monitor.enter('close');
    await producer.disconnect();
    await admin.disconnect();
    await tributary.close();
    monitor.stop();

    console.log(`longest run without a turn of the event loop, per step: ${monitor.report()}`);
    for (const [step, ms] of monitor.worst)
      expect(ms, `${step} ran ${ms.toFixed(1)} ms (GC ${monitor.gcInWorst.get(step)?.toFixed(1)} ms)`).toBeLessThan(
        LIMIT_MS,
      );
  }, 120_000);
});
