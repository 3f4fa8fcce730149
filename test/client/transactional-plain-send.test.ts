import { describe, expect, it } from 'vitest';
import { ManualClock, openLog, type Tributary } from '../../src/index.ts';
import { memoryTributary, until } from './helpers.ts';

/** What a read_committed consumer of a new group sees of `topic` once it has `expected` records (and a little after). */
async function committedValues(tributary: Tributary, topic: string, expected: number): Promise<string[]> {
  const consumer = tributary.consumer({ groupId: `rc-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => void seen.push(String(message.value)) });
  await until(() => seen.length >= expected, `${expected} records of ${topic}`, 20_000).catch(() => undefined);
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
  await consumer.disconnect();
  return seen;
}

async function setup() {
  const { tributary, clock } = memoryTributary();
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 't' }] });
  const producer = tributary.producer({ transactionalId: 'tx', transactionTimeout: 1_000 });
  await producer.connect();
  return { tributary, clock, admin, producer };
}

describe('a transactional producer sending outside a transaction (kafkajs: an ordinary idempotent write)', () => {
  it('should make the send visible to read_committed consumers at once', async () => {
    const { tributary, producer } = await setup();
    await producer.send({ topic: 't', messages: [{ value: 'plain' }] });
    expect(await committedValues(tributary, 't', 1)).toEqual(['plain']);
    await tributary.close();
  });

  it("should not hold back other producers' records behind it", async () => {
    const { tributary, producer } = await setup();
    await producer.send({ topic: 't', messages: [{ value: 'plain' }] });
    const other = tributary.producer();
    await other.connect();
    await other.send({ topic: 't', messages: [{ value: 'other' }] });
    expect(await committedValues(tributary, 't', 2)).toEqual(['plain', 'other']);
    await tributary.close();
  });

  it('should be visible at once even while a transaction of the same producer is open', async () => {
    const { tributary, producer } = await setup();
    const txn = await producer.transaction();
    await txn.send({ topic: 't', messages: [{ value: 'in-txn' }] });
    await producer.send({ topic: 't', messages: [{ value: 'plain' }] });
    // The open transaction holds the last stable offset before both; the plain record is not in it.
    await txn.commit();
    expect(await committedValues(tributary, 't', 2)).toEqual(['in-txn', 'plain']);
    await tributary.close();
  });

  it('should survive a later abort, and leave the next transaction able to send', async () => {
    const { tributary, producer } = await setup();
    await producer.send({ topic: 't', messages: [{ value: 'plain' }] });
    const aborted = await producer.transaction();
    await aborted.send({ topic: 't', messages: [{ value: 'aborted' }] });
    await aborted.abort();
    const next = await producer.transaction();
    await next.send({ topic: 't', messages: [{ value: 'committed' }] });
    await next.commit();
    expect(await committedValues(tributary, 't', 2)).toEqual(['plain', 'committed']);
    await tributary.close();
  });

  it('should survive a transaction timing out, and the next transaction is not fenced', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const log = await openLog({ storage: 'memory', clock, maintenanceIntervalMs: 0 });
    const { tributary } = memoryTributary({ log, clock });
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 't' }] });
    const producer = tributary.producer({ transactionalId: 'tx', transactionTimeout: 1_000 });
    await producer.connect();
    await producer.send({ topic: 't', messages: [{ value: 'plain' }] });
    clock.advance(5_000);
    await log.maintenance();
    const txn = await producer.transaction();
    await txn.send({ topic: 't', messages: [{ value: 'after-timeout' }] });
    await txn.commit();
    expect(await committedValues(tributary, 't', 2)).toEqual(['plain', 'after-timeout']);
    await tributary.close();
    await log.close();
  });
});
