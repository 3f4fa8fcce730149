import { describe, expect, it } from 'vitest';
import { type EachBatchPayload, type EmbeddedLogBackend, ManualClock, openLog } from '../../../src/index.ts';
import { memoryTributary, until } from '../helpers.ts';

/**
 * The consumer reads the next stored batches while the program handles a fetch (see
 * client/consumer/fetcher.ts). These tests make each fetch one stored batch
 * (`maxBytesPerPartition: 1`: a read returns at least one batch), so a read ahead is in flight or
 * landed while the handler of the batch before it runs, and check that nothing it read is handed
 * out when the handler or the log changed what should come next.
 */
async function setup(topicConfig: { name: string; value: string }[] = []) {
  const clock = new ManualClock(1_700_000_000_000);
  const log = await openLog({ storage: 'memory', clock, maintenanceIntervalMs: 0 });
  // Which positions the consumer read batches from, read ahead or not.
  const reads: number[] = [];
  const readBatches = log.readBatches.bind(log);
  (log as { readBatches: EmbeddedLogBackend['readBatches'] }).readBatches = (topic, partition, offset, options) => {
    if (topic === 't') reads.push(offset);
    return readBatches(topic, partition, offset, options);
  };
  const { tributary } = memoryTributary({ log, clock });
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 't', configEntries: topicConfig }] });
  const producer = tributary.producer();
  await producer.connect();
  const close = async () => {
    await producer.disconnect();
    await admin.disconnect();
    await tributary.close();
    await log.close();
  };
  return { clock, log, tributary, producer, reads, close };
}

/** One send per value: one stored batch each. */
async function sendEach(
  producer: { send: (r: { topic: string; messages: { value: string }[] }) => Promise<unknown> },
  values: string[],
) {
  for (const value of values) await producer.send({ topic: 't', messages: [{ value }] });
}

describe('fetching ahead while eachBatch runs', () => {
  it('should never hand out batches read ahead that retention then deleted', async () => {
    const { clock, log, tributary, producer, reads, close } = await setup([{ name: 'retention.ms', value: '1000' }]);
    await sendEach(producer, ['v0', 'v1', 'v2', 'v3', 'v4']);
    clock.advance(2_000);
    await sendEach(producer, ['v5', 'v6', 'v7']);
    const consumer = tributary.consumer({ groupId: 'g', maxBytesPerPartition: 1 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['t'], fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      eachBatch: async ({ batch }: EachBatchPayload) => {
        seen.push(...batch.messages.map((m) => m.offset));
        if (batch.firstOffset() === '1') {
          // The batch at offset 2 is being read ahead (or was); retention now deletes offsets 0-4.
          await until(() => reads.includes(2), 'the read ahead of offset 2');
          await log.maintenance();
          expect(log.offsets('t', 0).logStartOffset).toBe(5);
        }
      },
    });
    await until(() => seen.includes('7'), 'the last record');
    expect(seen).toEqual(['0', '1', '5', '6', '7']);
    await consumer.disconnect();
    await close();
  });

  it('should hand out what a seek asks for, not the batch read ahead', async () => {
    const { tributary, producer, reads, close } = await setup();
    await sendEach(producer, ['v0', 'v1', 'v2', 'v3', 'v4', 'v5']);
    const consumer = tributary.consumer({ groupId: 'g', maxBytesPerPartition: 1 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['t'], fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      eachBatch: async ({ batch }: EachBatchPayload) => {
        seen.push(...batch.messages.map((m) => m.offset));
        if (batch.firstOffset() === '0') {
          await until(() => reads.includes(1), 'the read ahead of offset 1');
          consumer.seek({ topic: 't', partition: 0, offset: '4' });
        }
      },
    });
    await until(() => seen.includes('5'), 'the last record');
    expect(seen).toEqual(['0', '4', '5']);
    await consumer.disconnect();
    await close();
  });

  it('should read two batches ahead, or as many as maxBytes has room for across partitions, and get the room back as they are taken', async () => {
    for (const [maxBytes, ahead] of [
      [undefined, [1, 2]],
      [1, [1]],
      [0, []],
    ] as const) {
      const { tributary, producer, reads, close } = await setup();
      await sendEach(producer, ['v0', 'v1', 'v2', 'v3', 'v4', 'v5']);
      const consumer = tributary.consumer({ groupId: 'g', maxBytesPerPartition: 1, maxBytes });
      await consumer.connect();
      await consumer.subscribe({ topics: ['t'], fromBeginning: true });
      const during = new Map<string, number[]>();
      await consumer.run({
        eachBatch: async ({ batch }: EachBatchPayload) => {
          const first = batch.firstOffset()!;
          if (first === '0' || first === '2') {
            if (ahead.length > 0) await until(() => reads.includes(Number(first) + ahead.length), 'the reads ahead');
            for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
          }
          during.set(first, [...reads]);
        },
      });
      await until(() => during.has('5'), 'the last batch');
      // While batch 0 is handled: the reads ahead the budget allows, and no more.
      expect(during.get('0')).toEqual([0, ...ahead]);
      // While batch 2 is handled: the room of the reads ahead taken since came back, so the reads
      // ahead went on as far (a read the budget never got back would have stopped them).
      expect(during.get('2')!.filter((at) => at > 2)).toEqual(ahead.map((n) => n + 2));
      await consumer.disconnect();
      await close();
    }
  });

  it('should ask each partition’s read for its share of maxBytes, at most maxBytesPerPartition', async () => {
    for (const [config, partitions, asked] of [
      [{}, 1, 1 << 20],
      [{ maxBytes: 4096 }, 4, 1024],
      [{ maxBytes: 4096, maxBytesPerPartition: 512 }, 4, 512],
    ] as const) {
      const { log, tributary, producer, close } = await setup();
      const sizes = new Set<number>();
      const readBatches = log.readBatches.bind(log);
      (log as { readBatches: EmbeddedLogBackend['readBatches'] }).readBatches = (topic, partition, offset, options) => {
        if (topic === 'p') sizes.add(options?.maxBytes ?? -1);
        return readBatches(topic, partition, offset, options);
      };
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'p', numPartitions: partitions }] });
      await admin.disconnect();
      for (let p = 0; p < partitions; p++)
        await producer.send({ topic: 'p', messages: [{ value: 'v', partition: p }] });
      const consumer = tributary.consumer({ groupId: 'g', ...config });
      await consumer.connect();
      await consumer.subscribe({ topics: ['p'], fromBeginning: true });
      let seen = 0;
      await consumer.run({ eachMessage: async () => void seen++ });
      await until(() => seen === partitions, 'every partition’s record');
      expect([...sizes]).toEqual([asked]);
      await consumer.disconnect();
      await close();
    }
  });

  it('should redeliver from the last resolved offset after a pause mid-batch, not go on from the read ahead', async () => {
    const { tributary, producer, reads, close } = await setup();
    for (const base of [0, 3, 6])
      await producer.send({ topic: 't', messages: [0, 1, 2].map((i) => ({ value: `v${base + i}` })) });
    const consumer = tributary.consumer({ groupId: 'g', maxBytesPerPartition: 1 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['t'], fromBeginning: true });
    const batches: string[][] = [];
    let resume: (() => void) | undefined;
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, pause }: EachBatchPayload) => {
        batches.push(batch.messages.map((m) => m.offset));
        if (batches.length === 1) {
          await until(() => reads.includes(3), 'the read ahead of offset 3');
          resolveOffset('0');
          resume = pause();
          return;
        }
        for (const m of batch.messages) resolveOffset(m.offset);
      },
    });
    await until(() => resume !== undefined, 'the pause');
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
    expect(batches).toHaveLength(1);
    resume!();
    await until(() => batches.flat().includes('8'), 'the last record');
    expect(batches).toEqual([
      ['0', '1', '2'],
      ['1', '2'],
      ['3', '4', '5'],
      ['6', '7', '8'],
    ]);
    await consumer.disconnect();
    await close();
  });

  it('read_committed: skips aborted transactions and control records across batches read ahead', async () => {
    const { tributary, producer, close } = await setup();
    const txnProducer = tributary.producer({ transactionalId: 'tx', idempotent: true, maxInFlightRequests: 1 });
    await txnProducer.connect();
    const inTransaction = async (value: string, end: 'commit' | 'abort') => {
      const txn = await txnProducer.transaction();
      await txn.send({ topic: 't', messages: [{ value }] });
      await txn[end]();
    };
    await inTransaction('a', 'commit');
    await inTransaction('b', 'abort');
    await sendEach(producer, ['c']);
    await inTransaction('d', 'abort');
    await inTransaction('e', 'commit');
    await sendEach(producer, ['f']);
    const values = async (isolation: 'read_committed' | 'read_uncommitted', groupId: string) => {
      const consumer = tributary.consumer({ groupId, maxBytesPerPartition: 1, isolation });
      await consumer.connect();
      await consumer.subscribe({ topics: ['t'], fromBeginning: true });
      const seen: string[] = [];
      await consumer.run({
        eachBatch: async ({ batch }: EachBatchPayload) => {
          seen.push(...batch.messages.map((m) => String(m.value)));
        },
      });
      await until(() => seen.includes('f'), 'the last record');
      await consumer.disconnect();
      return seen;
    };
    expect(await values('read_committed', 'committed')).toEqual(['a', 'c', 'e', 'f']);
    expect(await values('read_uncommitted', 'uncommitted')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    await txnProducer.disconnect();
    await close();
  });
});
