import { describe, expect, it } from 'vitest';
import { type Consumer, type KafkaMessage, PartitionAssigners } from '../../src/index.ts';
import { consumerRebalancePending } from '../../src/client/consumer.ts';
import { eventually, memoryTributary, until } from './helpers.ts';

async function setup(partitions: number) {
  const { tributary, clock } = memoryTributary();
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'in', numPartitions: partitions }] });
  const producer = tributary.producer();
  await producer.connect();
  return { tributary, clock, admin, producer };
}

function assigned(consumer: Consumer): number {
  return consumer.assignment().reduce((n, t) => n + t.partitions.length, 0);
}

describe('Consumer', () => {
  it('should deliver every message with kafkajs shapes when subscribed from the beginning', async () => {
    const { tributary, admin, producer } = await setup(1);
    await producer.send({ topic: 'in', messages: [{ key: 'k', value: 'v1', headers: { h: 'x' } }, { value: null }] });
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['in'], fromBeginning: true });
    const seen: KafkaMessage[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    await until(() => seen.length === 2, 'two messages');
    expect(seen[0]!.key?.toString()).toBe('k');
    expect(seen[0]!.value?.toString()).toBe('v1');
    expect(seen[0]!.offset).toBe('0');
    expect(seen[0]!.headers.h?.toString()).toBe('x');
    expect(seen[1]!.value).toBeNull();
    await consumer.disconnect();
    expect(await admin.fetchOffsets({ groupId: 'g', topics: ['in'] })).toEqual([
      { topic: 'in', partitions: [{ partition: 0, offset: '2', metadata: null }] },
    ]);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should start at the end when not subscribed from the beginning and wake on appends', async () => {
    const { tributary, admin, producer } = await setup(1);
    await producer.send({ topic: 'in', messages: [{ value: 'old' }] });
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'in' });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    await producer.send({ topic: 'in', messages: [{ value: 'new' }] });
    await until(() => seen.length === 1, 'new message');
    expect(seen).toEqual(['new']);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should deliver the bytes as sent when the sender reuses its buffers after the send', async () => {
    const { tributary, admin, producer } = await setup(1);
    const key = Buffer.from('k1');
    const value = Buffer.from('first');
    await producer.send({ topic: 'in', messages: [{ key, value }] });
    key.write('k2');
    value.write('again');
    // Served from the tail cache: what it keeps must be a copy, not the sender's buffers.
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'in', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(`${message.key}=${message.value}`) });
    await until(() => seen.length === 1, 'the message');
    expect(seen).toEqual(['k1=first']);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should give each of 4 members 2 partitions when 4 members share 8 partitions', async () => {
    const { tributary, admin, producer } = await setup(8);
    const consumers: Consumer[] = [];
    for (let i = 0; i < 4; i++) {
      const c = tributary.consumer({ groupId: 'g' });
      await c.connect();
      await c.subscribe({ topics: ['in'] });
      await c.run({ eachMessage: async () => undefined });
      consumers.push(c);
    }
    await until(() => consumers.every((c) => assigned(c) === 2), 'balanced group');
    const all = consumers.flatMap((c) => c.assignment().flatMap((t) => t.partitions)).sort();
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const [description] = (await admin.describeGroups(['g'])).groups;
    expect(description!.state).toBe('Stable');
    expect(description!.members).toHaveLength(4);
    for (const c of consumers) await c.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should run a kafkajs custom assigner when one is given in partitionAssigners', async () => {
    const { PartitionAssigners: KafkajsAssigners } = await import('kafkajs');
    const { tributary, admin, producer } = await setup(4);
    const consumers: Consumer[] = [];
    for (let i = 0; i < 2; i++) {
      const c = tributary.consumer({ groupId: 'g', partitionAssigners: [KafkajsAssigners.roundRobin as never] });
      await c.connect();
      await c.subscribe({ topics: ['in'] });
      await c.run({ eachMessage: async () => undefined });
      consumers.push(c);
    }
    await until(() => consumers.every((c) => assigned(c) === 2), 'balanced');
    expect((await admin.describeGroups(['g'])).groups[0]!.protocol).toBe('RoundRobinAssigner');
    for (const c of consumers) await c.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should subscribe by RegExp when given one', async () => {
    const { tributary, admin, producer } = await setup(1);
    await admin.createTopics({ topics: [{ topic: 'in-2' }, { topic: 'other' }] });
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: [/^in/], fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
    expect(consumer.assignment().map((t) => t.topic)).toEqual(['in', 'in-2']);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should move a dead member partitions to another member from the last commit when its session times out', async () => {
    const { tributary, clock, admin, producer } = await setup(2);
    for (let p = 0; p < 2; p++) {
      await producer.send({
        topic: 'in',
        messages: Array.from({ length: 10 }, (_, i) => ({ value: `${p}-${i}`, partition: p })),
      });
    }
    let release!: () => void;
    const hang = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seenA: string[] = [];
    const a = tributary.consumer({ groupId: 'g' });
    await a.connect();
    await a.subscribe({ topics: ['in'], fromBeginning: true });
    await a.run({
      autoCommitThreshold: 1,
      eachMessage: async ({ partition, message }) => {
        if (message.offset === '5') await hang; // stuck: no more heartbeats
        seenA.push(`${partition}-${message.offset}`);
      },
    });
    await until(() => seenA.length === 10 || (seenA.length === 5 && assigned(a) === 2), 'a stuck');
    const seenB: string[] = [];
    const b = tributary.consumer({ groupId: 'g' });
    await b.connect();
    await b.subscribe({ topics: ['in'], fromBeginning: true });
    const bRun = b.run({
      eachMessage: async ({ partition, message }) => void seenB.push(`${partition}-${message.offset}`),
    });
    // The join waits for a, which is stuck; a's session times out on the clock.
    await until(() => consumerRebalancePending(a), 'a notified');
    clock.advance(30_001);
    await bRun;
    await until(() => assigned(b) === 2 && seenB.length >= 15, 'b took over');
    // b resumed a's partition at a's last commit (offset 5) and read b's own from the start.
    const aPartition = Number(seenA[0]!.split('-')[0]);
    expect(seenB.filter((s) => s.startsWith(`${aPartition}-`))).toEqual(
      [5, 6, 7, 8, 9].map((o) => `${aPartition}-${o}`),
    );
    release();
    await until(() => seenA.length === 6, 'a resumed');
    // a's late commit is fenced: the group's offsets are b's.
    await eventually(
      async () =>
        (await admin.fetchOffsets({ groupId: 'g', topics: ['in'] }))[0]!.partitions.every((p) => p.offset === '10'),
      "b's commits",
    );
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
    const offsets = await admin.fetchOffsets({ groupId: 'g', topics: ['in'] });
    expect(offsets[0]!.partitions.map((p) => p.offset)).toEqual(['10', '10']);
    // a comes back as a new member and the two share the partitions again.
    await until(() => assigned(a) === 1 && assigned(b) === 1, 'a rejoined');
    for (let p = 0; p < 2; p++) await producer.send({ topic: 'in', messages: [{ value: 'more', partition: p }] });
    await until(() => seenA.length + seenB.length === 6 + 15 + 2, 'new records');
    await a.disconnect();
    await b.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should neither lose nor repeat a record when members join and leave cleanly with commits', async () => {
    for (const assigner of [
      PartitionAssigners.roundRobin,
      PartitionAssigners.cooperativeSticky,
      PartitionAssigners.range,
    ]) {
      const { tributary, admin, producer } = await setup(4);
      const seen = new Map<string, number>();
      const handler = async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
        const k = `${partition}-${message.offset}`;
        seen.set(k, (seen.get(k) ?? 0) + 1);
      };
      const make = async () => {
        const c = tributary.consumer({ groupId: 'g', partitionAssigners: [assigner] });
        await c.connect();
        await c.subscribe({ topics: ['in'], fromBeginning: true });
        await c.run({ eachMessage: handler });
        return c;
      };
      let total = 0;
      const produce = async (n: number) => {
        await producer.send({
          topic: 'in',
          messages: Array.from({ length: n }, (_, i) => ({ key: String(total + i), value: 'v' })),
        });
        total += n;
      };
      const a = await make();
      await produce(200);
      const b = await make();
      await produce(200);
      const c = await make();
      await produce(200);
      await b.disconnect();
      await produce(200);
      await until(() => seen.size === total, `all ${total} records with ${assigner.name}`);
      await a.disconnect();
      await produce(100);
      await until(() => seen.size === total, `the rest with ${assigner.name}`);
      await c.disconnect();
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      expect(seen.size).toBe(900);
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('should keep consuming kept partitions when a member joins a cooperative-sticky group', async () => {
    const { tributary, admin, producer } = await setup(4);
    const a = tributary.consumer({ groupId: 'g', partitionAssigners: [PartitionAssigners.cooperativeSticky] });
    await a.connect();
    await a.subscribe({ topics: ['in'] });
    const assignments: number[][] = [];
    a.on(a.events.GROUP_JOIN, (e) => assignments.push([...(e.payload.memberAssignment.in ?? [])].sort()));
    await a.run({ eachMessage: async () => undefined });
    const b = tributary.consumer({ groupId: 'g', partitionAssigners: [PartitionAssigners.cooperativeSticky] });
    await b.connect();
    await b.subscribe({ topics: ['in'] });
    await b.run({ eachMessage: async () => undefined });
    await until(() => assigned(a) === 2 && assigned(b) === 2, 'balanced');
    const kept = a.assignment()[0]!.partitions;
    // Every assignment a ever had holds the partitions it kept: they were never given up.
    for (const assignment of assignments) for (const p of kept) expect(assignment).toContain(p);
    await a.disconnect();
    await b.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should refuse admin offset changes with NON_EMPTY_GROUP when the group has running members', async () => {
    const { tributary, admin, producer } = await setup(2);
    const a = tributary.consumer({ groupId: 'g' });
    await a.connect();
    await a.subscribe({ topics: ['in'] });
    await a.run({ autoCommit: false, eachMessage: async () => undefined });
    await expect(
      admin.setOffsets({ groupId: 'g', topic: 'in', partitions: [{ partition: 0, offset: '1' }] }),
    ).rejects.toMatchObject({ code: 'NON_EMPTY_GROUP' });
    await expect(admin.deleteGroups(['g'])).rejects.toMatchObject({ code: 'NON_EMPTY_GROUP' });
    await a.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should end a pending join when the consumer disconnects while the group waits for a stuck member', async () => {
    const { tributary, admin, producer } = await setup(1);
    await producer.send({ topic: 'in', messages: [{ value: 'x' }] });
    let release!: () => void;
    const hang = new Promise<void>((resolve) => {
      release = resolve;
    });
    const a = tributary.consumer({ groupId: 'g' });
    await a.connect();
    await a.subscribe({ topics: ['in'], fromBeginning: true });
    let started = false;
    await a.run({
      eachMessage: async () => {
        started = true;
        await hang;
      },
    });
    await until(() => started, 'a busy');
    const b = tributary.consumer({ groupId: 'g' });
    await b.connect();
    await b.subscribe({ topics: ['in'] });
    const running = b.run({ eachMessage: async () => undefined });
    await until(() => consumerRebalancePending(a), 'rebalance asked');
    await b.disconnect();
    await running;
    release();
    await a.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should deliver the bytes that were sent when the producer reuses its buffer after the send', async () => {
    const { tributary, admin, producer } = await setup(1);
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['in'] });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    const buffer = Buffer.from('first');
    await producer.send({ topic: 'in', messages: [{ value: buffer }] });
    buffer.write('XXXXX');
    await until(() => seen.length === 1, 'the record');
    expect(seen).toEqual(['first']);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should retry a failed message after the backoff on the clock when the handler throws', async () => {
    const { tributary, clock, admin, producer } = await setup(1);
    await producer.send({ topic: 'in', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    const consumer = tributary.consumer({ groupId: 'g', retry: { initialRetryTime: 100 } });
    await consumer.connect();
    await consumer.subscribe({ topics: ['in'], fromBeginning: true });
    const crashes: unknown[] = [];
    consumer.on(consumer.events.CRASH, (e) => crashes.push(e.payload.error));
    const seen: string[] = [];
    let failed = false;
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.offset === '1' && !failed) {
          failed = true;
          throw new Error('boom');
        }
        seen.push(message.offset);
      },
    });
    await until(() => failed, 'the failure');
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
    expect(seen).toEqual(['0']);
    // The offsets processed before the failure are committed.
    expect((await admin.fetchOffsets({ groupId: 'g', topics: ['in'] }))[0]!.partitions[0]!.offset).toBe('1');
    clock.advance(100);
    await until(() => seen.length === 3, 'retried');
    expect(seen).toEqual(['0', '1', '2']);
    // A failure retried within retry.retries is no crash, as in kafkajs.
    expect(crashes).toEqual([]);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should process partitions side by side when partitionsConsumedConcurrently is 2', async () => {
    const { tributary, admin, producer } = await setup(2);
    await producer.send({
      topic: 'in',
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 1 },
      ],
    });
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['in'], fromBeginning: true });
    let active = 0;
    let release!: () => void;
    const both = new Promise<void>((resolve) => {
      release = resolve;
    });
    await consumer.run({
      partitionsConsumedConcurrently: 2,
      eachMessage: async () => {
        if (++active === 2) release();
        await both; // with one at a time this would never resolve
      },
    });
    await until(() => active === 2, 'both partitions at once');
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should heartbeat on the clock when idle', async () => {
    const { tributary, clock, admin, producer } = await setup(1);
    const consumer = tributary.consumer({ groupId: 'g', heartbeatInterval: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['in'] });
    const beats: number[] = [];
    consumer.on(consumer.events.HEARTBEAT, (e) => beats.push(e.payload.groupGenerationId));
    await consumer.run({ eachMessage: async () => undefined });
    clock.advance(3_500);
    expect(beats).toEqual([1, 1, 1]);
    // Sessions stay alive far past the session timeout while heartbeats flow.
    clock.advance(60_000);
    expect(consumer.assignment()).toEqual([{ topic: 'in', partitions: [0] }]);
    expect((await consumer.describeGroup()).state).toBe('Stable');
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should redeliver from the seek offset when seek is called', async () => {
    const { tributary, admin, producer } = await setup(1);
    await producer.send({ topic: 'in', messages: Array.from({ length: 5 }, (_, i) => ({ value: String(i) })) });
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['in'], fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.offset) });
    await until(() => seen.length === 5, 'first pass');
    consumer.seek({ topic: 'in', partition: 0, offset: '2' });
    await until(() => seen.length === 8, 'second pass');
    expect(seen).toEqual(['0', '1', '2', '3', '4', '2', '3', '4']);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should hold a paused partition back until it is resumed', async () => {
    const { tributary, admin, producer } = await setup(2);
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['in'], fromBeginning: true });
    const seen: number[] = [];
    // Paused once run() is called (kafkajs refuses a pause before it), before the partitions come.
    const running = consumer.run({ eachMessage: async ({ partition }) => void seen.push(partition) });
    consumer.pause([{ topic: 'in', partitions: [1] }]);
    await running;
    expect(consumer.paused()).toEqual([{ topic: 'in', partitions: [1] }]);
    await producer.send({
      topic: 'in',
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 1 },
      ],
    });
    await until(() => seen.length === 1, 'partition 0');
    for (let i = 0; i < 50; i++) await new Promise<void>((r) => setImmediate(r));
    expect(seen).toEqual([0]);
    consumer.resume([{ topic: 'in', partitions: [1] }]);
    await until(() => seen.length === 2, 'partition 1');
    expect(consumer.paused()).toEqual([]);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should hand eachBatch a kafkajs Batch and emit batch events when running with eachBatch', async () => {
    const { tributary, admin, producer } = await setup(1);
    await producer.send({ topic: 'in', messages: Array.from({ length: 3 }, (_, i) => ({ value: String(i) })) });
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['in'], fromBeginning: true });
    const events: string[] = [];
    for (const name of [
      consumer.events.START_BATCH_PROCESS,
      consumer.events.END_BATCH_PROCESS,
      consumer.events.COMMIT_OFFSETS,
      consumer.events.GROUP_JOIN,
      consumer.events.FETCH,
    ]) {
      consumer.on(name, (e) => events.push(e.type));
    }
    const batches: { first: string | null; last: string; lag: string; n: number }[] = [];
    await consumer.run({
      eachBatch: async ({ batch }) =>
        void batches.push({
          first: batch.firstOffset(),
          last: batch.lastOffset(),
          lag: batch.offsetLag(),
          n: batch.messages.length,
        }),
    });
    await until(() => events.includes('consumer.commit_offsets'), 'commit');
    expect(batches).toEqual([{ first: '0', last: '2', lag: '0', n: 3 }]);
    expect(events).toEqual([
      'consumer.group_join',
      'consumer.fetch',
      'consumer.start_batch_process',
      'consumer.end_batch_process',
      'consumer.commit_offsets',
    ]);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });
});
