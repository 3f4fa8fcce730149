import { describe, expect, it } from 'vitest';
import { type LogBackend, ManualClock, openLog, Tributary, TributaryError } from '../../src/index.ts';
import { memoryTributary, until } from './helpers.ts';

async function setup() {
  const { tributary, clock } = memoryTributary();
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'a', numPartitions: 2 }, { topic: 'b' }] });
  const producer = tributary.producer({ transactionalId: 'tx-1' });
  await producer.connect();
  return { tributary, clock, admin, producer };
}

async function readAll(
  tributary: Tributary,
  topic: string,
  readUncommitted: boolean,
  expected: number,
): Promise<string[]> {
  const consumer = tributary.consumer({ groupId: `reader-${readUncommitted}-${Math.random()}`, readUncommitted });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => void seen.push(String(message.value)) });
  await until(() => seen.length >= expected, `${expected} records of ${topic}`);
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
  await consumer.disconnect();
  return seen.sort();
}

describe('transactions', () => {
  it('should show a committed transaction across topics to read_committed consumers and hide an aborted one', async () => {
    const { tributary, admin, producer } = await setup();
    const committed = await producer.transaction();
    await committed.send({
      topic: 'a',
      messages: [
        { value: 'c1', partition: 0 },
        { value: 'c2', partition: 1 },
      ],
    });
    await committed.send({ topic: 'b', messages: [{ value: 'c3' }] });
    await committed.commit();
    expect(committed.isActive()).toBe(false);
    const aborted = await producer.transaction();
    await aborted.sendBatch({
      topicMessages: [
        { topic: 'a', messages: [{ value: 'x1', partition: 0 }] },
        { topic: 'b', messages: [{ value: 'x2' }] },
      ],
    });
    await aborted.abort();
    expect(await readAll(tributary, 'a', false, 2)).toEqual(['c1', 'c2']);
    expect(await readAll(tributary, 'b', false, 1)).toEqual(['c3']);
    expect(await readAll(tributary, 'a', true, 3)).toEqual(['c1', 'c2', 'x1']);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should hold read_committed consumers back while a transaction is open and release them on commit', async () => {
    const { tributary, admin, producer } = await setup();
    const txn = await producer.transaction();
    await txn.send({ topic: 'b', messages: [{ value: 'pending' }] });
    const plain = tributary.producer();
    await plain.connect();
    await plain.send({ topic: 'b', messages: [{ value: 'after' }] });
    const consumer = tributary.consumer({ groupId: 'rc' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['b'], fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    for (let i = 0; i < 50; i++) await new Promise<void>((r) => setImmediate(r));
    expect(seen).toEqual([]);
    expect(await readAll(tributary, 'b', true, 2)).toEqual(['after', 'pending']);
    await txn.commit();
    await until(() => seen.length === 2, 'released');
    expect(seen).toEqual(['pending', 'after']);
    await consumer.disconnect();
    await plain.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should commit offsets sent with sendOffsets only when the transaction commits', async () => {
    const { admin, producer } = await setup();
    const aborted = await producer.transaction();
    await aborted.sendOffsets({
      consumerGroupId: 'g',
      topics: [{ topic: 'a', partitions: [{ partition: 0, offset: '5' }] }],
    });
    await aborted.abort();
    expect((await admin.fetchOffsets({ groupId: 'g', topics: ['a'] }))[0]!.partitions[0]!.offset).toBe('-1');
    const txn = await producer.transaction();
    await txn.send({ topic: 'b', messages: [{ value: 'v' }] });
    await txn.sendOffsets({
      consumerGroupId: 'g',
      topics: [{ topic: 'a', partitions: [{ partition: 0, offset: '7' }] }],
    });
    await txn.commit();
    expect((await admin.fetchOffsets({ groupId: 'g', topics: ['a'] }))[0]!.partitions[0]!.offset).toBe('7');
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should refuse an ended transaction and transaction() without a transactionalId', async () => {
    const { tributary, producer, admin } = await setup();
    const txn = await producer.transaction();
    await txn.abort();
    await expect(txn.commit()).rejects.toMatchObject({ code: 'INVALID_TXN_STATE' });
    const plain = tributary.producer();
    await plain.connect();
    await expect(plain.transaction()).rejects.toMatchObject({ code: 'PRODUCER_NOT_TRANSACTIONAL' });
    await plain.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should fence the older producer with PRODUCER_FENCED when a second one takes the transactionalId', async () => {
    const { tributary, producer, admin } = await setup();
    const txn = await producer.transaction();
    await txn.send({ topic: 'b', messages: [{ value: 'old' }] });
    const successor = tributary.producer({ transactionalId: 'tx-1' });
    await successor.connect(); // aborts the old one's open transaction
    await expect(txn.commit()).rejects.toBeInstanceOf(TributaryError);
    expect(await readAll(tributary, 'b', true, 1)).toEqual(['old']);
    await successor.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should keep sending in sequence when an idempotent send fails and appends nothing', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: 'c', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    });
    const producer = tributary.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: 'c', messages: [{ key: 'k', value: '1' }] });
    // A keyless record on a compacted topic is refused by the log: nothing is appended.
    await expect(producer.send({ topic: 'c', messages: [{ value: 'no key' }] })).rejects.toMatchObject({
      code: 'INVALID_RECORD',
    });
    const [meta] = await producer.send({ topic: 'c', messages: [{ key: 'k', value: '2' }] });
    expect(meta!.baseOffset).toBe('1');
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should not duplicate a batch when an idempotent producer retries a write whose answer was lost', async () => {
    const clock = new ManualClock(0);
    const real = await openLog({ storage: 'memory', clock, maintenanceIntervalMs: 0 });
    await real.createTopic({ topic: 't' });
    let failures = 1;
    // The first write lands, then its answer is "lost": the producer sees a retriable error.
    const flaky = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'write') {
          return async (...args: Parameters<LogBackend['write']>) => {
            const result = await target.write(...args);
            if (failures-- > 0) throw new TributaryError('STORAGE_ERROR', 'lost answer', { retriable: true });
            return result;
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const tributary = new Tributary({ log: flaky, logLevel: 0 });
    const producer = tributary.producer({ idempotent: true });
    await producer.connect();
    expect(producer.isIdempotent()).toBe(true);
    const [meta] = await producer.send({ topic: 't', messages: [{ value: 'once' }, { value: 'twice?' }] });
    expect(meta!.baseOffset).toBe('0');
    expect(real.offsets('t', 0).highWatermark).toBe(2);
    await producer.send({ topic: 't', messages: [{ value: 'next' }] });
    expect(real.offsets('t', 0).highWatermark).toBe(3);
    await producer.disconnect();
    await real.close();
  });
});
