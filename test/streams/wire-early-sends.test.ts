/**
 * The wire backend's batches sent ahead of a commit (Kafka's producer sends as batches fill): they
 * are part of the open transaction, visible to read_committed readers only once it commits, and
 * gone when it is aborted; the next transaction's batches wait for the commit before them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { clientContextOf } from '../../src/client/tributary.ts';
import { Tributary } from '../../src/index.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { rounds, WireBackend } from '../../src/streams/runtime/wire-backend.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let tributary: Tributary;
let backend: WireBackend;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  broker = await serve({ log, port: 0, logLevel: 0, groupInitialRebalanceDelayMs: 0 });
  await log.createTopic({ topic: 'out', numPartitions: 1 });
  tributary = new Tributary({ brokers: [`127.0.0.1:${broker.address().port}`], logLevel: 0 });
  const context = clientContextOf(tributary);
  backend = new WireBackend({
    context,
    wire: context.wire!,
    applicationId: 'early',
    eos: true,
    clock: log.clock,
    processId: async () => 'p1',
  });
  await backend.open();
});

afterEach(async () => {
  await backend.close();
  await tributary.close();
  await broker.close();
  await log.close();
});

const enc = new TextEncoder();
const batch = (from: number, n: number) => ({
  topic: 'out',
  partition: 0,
  records: Array.from({ length: n }, (_, i) => ({ key: null, value: enc.encode(`r${from + i}`), timestamp: 1 })),
});

async function read(isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const o = log.offsets('out', 0);
  const end = isolation === 'read_committed' ? o.lastStableOffset : o.highWatermark;
  const r = await log.read('out', 0, 0, { maxBytes: 1 << 20, isolation });
  return r.records
    .filter((rec) => rec.offset < end && rec.value !== null)
    .map((rec) => new TextDecoder().decode(rec.value!));
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('batches sent ahead of the commit over the wire', () => {
  it('should be committed with the rest of the transaction, in order', async () => {
    const early = backend.earlySends!;
    expect(early.bytes).toBeGreaterThan(0);
    early.send(batch(0, 3));
    early.send(batch(3, 2));
    await until(() => log.offsets('out', 0).highWatermark >= 5);
    // In the log, in an open transaction: not for read_committed readers yet.
    expect(await read('read_committed')).toEqual([]);
    const results = await backend.commit({ outputs: [batch(5, 2)], offsets: [], now: 0, sync: true });
    // The two batches sent ahead went in one Produce, merged (a Produce names a partition once).
    expect(results.map((r) => [r.baseOffset, r.lastOffset])).toEqual([
      [0, 4],
      [5, 6],
    ]);
    expect(await read('read_committed')).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
  });

  it('should drop what went ahead when the transaction is aborted, and go on with a new one', async () => {
    const early = backend.earlySends!;
    early.send(batch(0, 4));
    await until(() => log.offsets('out', 0).highWatermark >= 4);
    early.abort();
    // The next transaction's batch waits for the abort, then goes in a transaction of its own.
    early.send(batch(100, 2));
    await backend.commit({ outputs: [batch(102, 1)], offsets: [], now: 0, sync: true });
    expect(await read('read_uncommitted')).toEqual(['r0', 'r1', 'r2', 'r3', 'r100', 'r101', 'r102']);
    expect(await read('read_committed')).toEqual(['r100', 'r101', 'r102']);
  });

  it('should keep the next transaction out of the one being committed', async () => {
    const early = backend.earlySends!;
    early.send(batch(0, 2));
    const first = backend.commit({ outputs: [], offsets: [], now: 0, sync: true });
    // Sent while the first commit is on its way: it belongs to the second transaction.
    early.send(batch(2, 2));
    await first;
    expect(await read('read_committed')).toEqual(['r0', 'r1']);
    await backend.commit({ outputs: [], offsets: [], now: 0, sync: true });
    expect(await read('read_committed')).toEqual(['r0', 'r1', 'r2', 'r3']);
  });

  it("should commit the inputs' offsets of a transaction whose batches went ahead, once it commits", async () => {
    await log.createTopic({ topic: 'in', numPartitions: 1 });
    const admin = tributary.admin();
    await admin.connect();
    const committed = async () =>
      (await admin.fetchOffsets({ groupId: 'early', topics: ['in'] }))[0]!.partitions[0]!.offset;
    const early = backend.earlySends!;
    // AddOffsetsToTxn goes with these batches; the offsets themselves only with the commit.
    early.send(batch(0, 2));
    await until(() => log.offsets('out', 0).highWatermark >= 2);
    expect(await committed()).toBe('-1');
    await backend.commit({ outputs: [], offsets: [{ topic: 'in', partition: 0, offset: 7 }], now: 0, sync: true });
    expect(await committed()).toBe('7');
    // Aborted after its batches (and the offsets' partition) went ahead: nothing of it stays.
    early.send(batch(2, 1));
    await until(() => log.offsets('out', 0).highWatermark >= 3);
    early.abort();
    await backend.commit({
      outputs: [batch(3, 1)],
      offsets: [{ topic: 'in', partition: 0, offset: 9 }],
      now: 0,
      sync: true,
    });
    expect(await committed()).toBe('9');
    expect(await read('read_committed')).toEqual(['r0', 'r1', 'r3']);
    await admin.disconnect();
  });

  it('should name each partition once per Produce: batches merged up to the limit, the rest in later rounds', () => {
    const b = (partition: number, from: number, n: number) => ({ ...batch(from, n), partition });
    const names = (r: ReturnType<typeof rounds>) =>
      r.map((round) =>
        round.map((a) => `${a.partition}:${a.records.map((x) => new TextDecoder().decode(x.value!)).join(',')}`),
      );
    // Each record counts about 26 bytes: two fit under 60, three do not.
    expect(names(rounds([b(0, 0, 1), b(1, 10, 1), b(0, 1, 1), b(0, 2, 1), b(1, 11, 1)], 60))).toEqual([
      ['0:r0,r1', '1:r10,r11'],
      ['0:r2'],
    ]);
  });
});
