/**
 * `npm run bench -- clients`: the kafkajs-shaped clients over the embedded LevelDB log.
 *
 * - single-record `send` throughput (acks -1, fsynced; and acks 1), many sends in flight, beside the
 *   log's own `append` of single records at the same concurrency;
 * - end-to-end latency send → eachMessage under a steady 50,000 records/s (acks 1: the figure is the
 *   clients' overhead, not the disk's fsync), beside the log's append → waitForData → read latency,
 *   with three pacers (see {@link pace});
 * - consumer-group throughput, 4 members over 8 partitions, beside one consumer of the same topic;
 * - the time a rebalance takes when a member joins, beside the first member's join;
 * - batch throughput through the public API, as issue 10 states it: 100-byte records in sends of
 *   1,000 (acks 1 and acks -1), and `eachBatch` consumption of them (after a warm-up consumer over
 *   200,000 records of another topic: the figure is a running consumer's), beside the log's own
 *   `write` of the same batches and `read` of them (and `readBatches` of them in the consumer's read
 *   size, decoded by the log's decoder).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Consumer, openLog, Tributary } from '../src/index.ts';
import { decodeRecordBatch } from '../src/protocol/record-batch.ts';
import { line, since } from './report.ts';

const VALUE = Buffer.alloc(100, 7);

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function sendThroughput(dir: string, figures: Record<string, number>): Promise<void> {
  const total = 300_000;
  const inFlight = 2_000;
  const measure = async (acks: number) => {
    const tributary = new Tributary({ dataDir: join(dir, `send-${acks}`), logLevel: 0 });
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 't', numPartitions: 8 }] });
    const producer = tributary.producer();
    await producer.connect();
    let next = 0;
    const start = performance.now();
    const worker = async () => {
      while (next < total) {
        next++;
        await producer.send({ topic: 't', acks, messages: [{ value: VALUE }] });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const rate = total / since(start);
    await producer.disconnect();
    await admin.disconnect();
    return rate;
  };
  const log = await openLog({ dataDir: join(dir, 'append'), maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 8 });
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) {
        const p = next++ % 8;
        await log.append('t', p, [{ key: null, value: VALUE }], { sync: true });
      }
    }),
  );
  const reference = total / since(start);
  await log.close();
  const fsynced = await measure(-1);
  const unsynced = await measure(1);
  line('producer.send, 1 record, acks -1', fsynced, 'records/s', {
    label: 'log.append 1 record, sync',
    value: reference,
  });
  line('producer.send, 1 record, acks 1', unsynced, 'records/s', {
    label: 'log.append 1 record, sync',
    value: reference,
  });
  figures.sendRecordsPerSec = Math.round(fsynced);
  figures.sendAcks1RecordsPerSec = Math.round(unsynced);
  figures.logAppendRecordsPerSec = Math.round(reference);
}

type Pacer = 'steady' | 'spin' | 'ticks';

/**
 * Calls `sendDue(due)` with the number of records due by now, until `total` are due.
 *
 * - `steady` (the headline figure): the records go out one by one at their time, one every 20 µs
 *   at 50,000/s, as the OpenMessaging Benchmark's uniform rate limiter sends them: it parks the
 *   thread until the next record's time (`LockSupport.parkNanos`). Node parks a thread with
 *   `Atomics.wait`, whose timeout overshoots by some tens of µs, so a turn may find two or three
 *   records due and send them together. Each turn yields to I/O with `setImmediate`.
 * - `spin`: the same, but busy-waiting between records instead of parking: the pacer takes a whole
 *   core, and the log's and LevelDB's threads and V8's collector share the other one.
 * - `ticks`: the pacer sleeps one timer tick (about 1.2 ms) and then sends what fell due meanwhile,
 *   as Kafka's `ThroughputThrottler` does: bursts of ~60 records, the first of which waits for the
 *   rest to be sent.
 *
 * (A pacer that awaited a promise per turn of the event loop made enough garbage to force a
 * scavenge every ~100 ms and measured that instead.)
 */
function pace(mode: Pacer, rate: number, total: number, sendDue: (due: number) => void): Promise<void> {
  const start = performance.now();
  const dueNow = () => Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
  const parking = new Int32Array(new SharedArrayBuffer(4));
  let sent = 0;
  return new Promise<void>((resolve) => {
    const turn = () => {
      let due = dueNow();
      if (mode !== 'ticks' && due <= sent) {
        const next = start + ((sent + 1) / rate) * 1000;
        if (mode === 'steady') {
          const wait = next - performance.now();
          if (wait > 0) Atomics.wait(parking, 0, 0, wait);
        } else {
          while (performance.now() < next) {
            // The next record's time is at most 1/rate away.
          }
        }
        due = dueNow();
      }
      sendDue(due);
      sent = due;
      if (due >= total) resolve();
      else if (mode === 'ticks') setTimeout(turn, 1);
      else setImmediate(turn);
    };
    turn();
  });
}

async function latencyRun(dir: string, mode: Pacer): Promise<{ client: Float64Array; log: Float64Array }> {
  const rate = 50_000;
  const seconds = 4;
  const total = rate * seconds;
  // Steady state, as latency benchmarks report it: the first second (JIT warm-up, first LevelDB
  // memtable) is sent and received like the rest but left out of the percentiles, on both sides.
  const warmup = rate;
  const tributary = new Tributary({ dataDir: join(dir, `latency-${mode}`), logLevel: 0 });
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'lat', numPartitions: 1 }] });
  const producer = tributary.producer();
  await producer.connect();
  const consumer = tributary.consumer({ groupId: 'lat' });
  await consumer.connect();
  await consumer.subscribe({ topics: ['lat'] });
  const sentAt = new Float64Array(total);
  const latencies = new Float64Array(total);
  let received = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  await consumer.run({
    autoCommitInterval: 1_000,
    eachMessage: async ({ message }) => {
      const i = message.value!.readUInt32BE(0);
      latencies[received++] = (performance.now() - sentAt[i]!) * 1000;
      if (received === total) finished();
    },
  });
  let sent = 0;
  await pace(mode, rate, total, (due) => {
    for (; sent < due; sent++) {
      const value = Buffer.alloc(100);
      value.writeUInt32BE(sent, 0);
      sentAt[sent] = performance.now();
      void producer.send({ topic: 'lat', acks: 1, messages: [{ value }] });
    }
  });
  await done;
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
  const client = latencies.slice(warmup, received).sort();

  // Reference: the log alone, append (no fsync) → waitForData → read, at the same pace.
  const log = await openLog({ dataDir: join(dir, `latency-ref-${mode}`), maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'lat' });
  const refSent = new Float64Array(total);
  const refLat = new Float64Array(total);
  let refReceived = 0;
  const reader = (async () => {
    let offset = 0;
    while (refReceived < total) {
      await log.waitForData('lat', 0, offset);
      const { records, nextOffset } = await log.read('lat', 0, offset);
      const now = performance.now();
      for (const r of records) refLat[refReceived++] = (now - refSent[r.offset]!) * 1000;
      offset = nextOffset;
    }
  })();
  let refCount = 0;
  await pace(mode, rate, total, (due) => {
    if (due <= refCount) return;
    // The records due now go in one append, as the producer gathers the sends of one turn (in
    // appends of at most 4,000, within max.message.bytes, when a loaded machine let many fall due).
    const now = performance.now();
    while (refCount < due) {
      const records = [];
      for (; refCount < due && records.length < 4_000; refCount++) {
        refSent[refCount] = now;
        records.push({ key: null, value: VALUE });
      }
      void log.append('lat', 0, records);
    }
  });
  await reader;
  await log.close();
  return { client, log: refLat.slice(warmup).sort() };
}

async function latency(dir: string, figures: Record<string, number>): Promise<void> {
  const names: Record<Pacer, string> = { steady: 'steady', spin: 'steady, spinning pacer', ticks: 'in 1 ms ticks' };
  for (const mode of ['steady', 'spin', 'ticks'] as const) {
    const { client, log } = await latencyRun(dir, mode);
    for (const [p, name] of [
      [50, 'P50'],
      [99, 'P99'],
      [99.9, 'P999'],
    ] as const) {
      const value = percentile(client, p);
      const reference = percentile(log, p);
      line(`send → eachMessage p${p}, 50k rec/s ${names[mode]}`, value, 'µs', {
        label: 'log append → read',
        value: reference,
      });
      const prefix = mode === 'steady' ? '' : mode;
      figures[prefix === '' ? `latency${name}Micros` : `${prefix}Latency${name}Micros`] = Math.round(value);
      figures[prefix === '' ? `logLatency${name}Micros` : `${prefix}LogLatency${name}Micros`] = Math.round(reference);
    }
  }
}

async function groupThroughput(dir: string, figures: Record<string, number>): Promise<void> {
  const total = 400_000;
  const tributary = new Tributary({ dataDir: join(dir, 'group'), logLevel: 0 });
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'g', numPartitions: 8 }] });
  const producer = tributary.producer();
  await producer.connect();
  for (let i = 0; i < total; i += 1_000) {
    await producer.sendBatch({
      topicMessages: [
        {
          topic: 'g',
          messages: Array.from({ length: 1_000 }, (_, k) => ({ value: VALUE, partition: (i / 1_000 + k) % 8 })),
        },
      ],
      acks: 1,
    });
  }
  await producer.disconnect();
  const consume = async (members: number, groupId: string) => {
    let n = 0;
    let finished!: () => void;
    const done = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const consumers: Consumer[] = [];
    for (let m = 0; m < members; m++) {
      const c = tributary.consumer({ groupId });
      await c.connect();
      await c.subscribe({ topics: ['g'], fromBeginning: true });
      consumers.push(c);
    }
    // Members join first (paused: pause() is allowed once run() is called, before its partitions
    // come), so the measurement is consumption, not rebalancing.
    for (const c of consumers) {
      const running = c.run({
        eachMessage: async () => {
          if (++n === total) finished();
        },
      });
      c.pause([{ topic: 'g' }]);
      await running;
    }
    while (
      consumers.reduce((s, c) => s + c.assignment().reduce((k, t) => k + t.partitions.length, 0), 0) < 8 ||
      consumers.some((c) => c.assignment().length === 0)
    ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const start = performance.now();
    for (const c of consumers) c.resume([{ topic: 'g' }]);
    await done;
    const rate = total / since(start);
    for (const c of consumers) await c.disconnect();
    return rate;
  };
  const single = await consume(1, 'single');
  const group = await consume(4, 'group');
  await admin.disconnect();
  line('consumer group, 4 members × 8 partitions', group, 'records/s', { label: '1 consumer', value: single });
  figures.groupRecordsPerSec = Math.round(group);
  figures.singleConsumerRecordsPerSec = Math.round(single);
  figures.groupRatio = Number((group / single).toFixed(3));
}

async function rebalance(dir: string, figures: Record<string, number>): Promise<void> {
  const tributary = new Tributary({ dataDir: join(dir, 'rebalance'), logLevel: 0 });
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'r', numPartitions: 8 }] });
  const joins: number[] = [];
  const rebalances: number[] = [];
  for (let round = 0; round < 5; round++) {
    const groupId = `r${round}`;
    const first = tributary.consumer({ groupId });
    await first.connect();
    await first.subscribe({ topics: ['r'] });
    let start = performance.now();
    await first.run({ eachMessage: async () => undefined });
    joins.push(performance.now() - start);
    const second = tributary.consumer({ groupId });
    await second.connect();
    await second.subscribe({ topics: ['r'] });
    start = performance.now();
    await second.run({ eachMessage: async () => undefined });
    const count = (c: Consumer) => c.assignment().reduce((k, t) => k + t.partitions.length, 0);
    while (count(first) !== 4 || count(second) !== 4) await new Promise<void>((resolve) => setImmediate(resolve));
    rebalances.push(performance.now() - start);
    await second.disconnect();
    await first.disconnect();
  }
  await admin.disconnect();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  line('rebalance when a member joins (median of 5)', median(rebalances), 'ms', {
    label: 'first member join',
    value: median(joins),
  });
  figures.rebalanceMs = Number(median(rebalances).toFixed(3));
  figures.firstJoinMs = Number(median(joins).toFixed(3));
}

async function batchThroughput(dir: string, figures: Record<string, number>): Promise<void> {
  const total = 1_000_000;
  const perSend = 1_000;
  const inFlight = 8;
  const messages = Array.from({ length: perSend }, () => ({ value: VALUE }));
  const produce = async (acks: number) => {
    const tributary = new Tributary({ dataDir: join(dir, `batch-${acks}`), logLevel: 0 });
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'b', numPartitions: 1 }] });
    const producer = tributary.producer();
    await producer.connect();
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < total) {
          next += perSend;
          await producer.send({ topic: 'b', acks, messages });
        }
      }),
    );
    const rate = total / since(start);
    await producer.disconnect();
    return { tributary, admin, rate };
  };
  const fsynced = await produce(-1);
  await fsynced.admin.disconnect();
  const unsynced = await produce(1);
  // eachBatch from the beginning of a topic holding `count` records: records per second from
  // resume() until the last one is handed over.
  const consume = async (topic: string, groupId: string, count: number) => {
    const consumer = unsynced.tributary.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let n = 0;
    let finished!: () => void;
    const done = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const running = consumer.run({
      eachBatch: async ({ batch }) => {
        n += batch.messages.length;
        if (n >= count) finished();
      },
    });
    consumer.pause([{ topic }]);
    await running;
    const start = performance.now();
    consumer.resume([{ topic }]);
    await done;
    const rate = count / since(start);
    await consumer.disconnect();
    return rate;
  };
  // A consumer service runs for hours: the figure is its steady rate, so the consumer's code is
  // warmed up first on another topic (200,000 records of its own, not the ones measured), as the
  // producer's is by the acks -1 run before acks 1.
  const warmUp = 200_000;
  await unsynced.admin.createTopics({ topics: [{ topic: 'warm-up', numPartitions: 1 }] });
  const warmProducer = unsynced.tributary.producer();
  await warmProducer.connect();
  for (let i = 0; i < warmUp; i += perSend) await warmProducer.send({ topic: 'warm-up', acks: 1, messages });
  await warmProducer.disconnect();
  await consume('warm-up', 'warm-up', warmUp);
  // eachBatch over what acks 1 wrote, from the beginning.
  const consumed = await consume('b', 'batch', total);
  await unsynced.admin.disconnect();

  // Reference: the log alone, the same batches written (sync and not) and read back.
  const refWrite = async (sync: boolean) => {
    const log = await openLog({ dataDir: join(dir, `batch-ref-${sync}`), maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'b' });
    const records = Array.from({ length: perSend }, () => ({ key: null, value: VALUE }));
    let next = 0;
    const begin = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < total) {
          next += perSend;
          await log.append('b', 0, records, { sync });
        }
      }),
    );
    return { log, rate: total / since(begin) };
  };
  const refSync = await refWrite(true);
  await refSync.log.close();
  const refUnsync = await refWrite(false);
  let offset = 0;
  const readStart = performance.now();
  while (offset < total) offset = (await refUnsync.log.read('b', 0, offset)).nextOffset;
  const refRead = total / since(readStart);
  // The reads the consumer makes (stored batches, 1 MiB at a time: its maxBytesPerPartition, all of
  // maxBytes' share for one partition), decoded by the log's decoder into its records instead of
  // kafkajs messages.
  offset = 0;
  let decoded = 0;
  const rawStart = performance.now();
  while (offset < total) {
    const batches = await refUnsync.log.readBatches('b', 0, offset, { maxBytes: 1 << 20 });
    for (const b of batches) decoded += decodeRecordBatch(b.bytes).records.length;
    offset = batches[batches.length - 1]!.lastOffset + 1;
  }
  const refRaw = decoded / since(rawStart);
  await refUnsync.log.close();

  line('producer.send of 1,000 × 100 B, acks 1', unsynced.rate, 'records/s', {
    label: 'log.append 1,000, no sync',
    value: refUnsync.rate,
  });
  line('producer.send of 1,000 × 100 B, acks -1', fsynced.rate, 'records/s', {
    label: 'log.append 1,000, sync',
    value: refSync.rate,
  });
  line('eachBatch consumption', consumed, 'records/s', { label: 'log.read', value: refRead });
  line('eachBatch consumption', consumed, 'records/s', {
    label: 'log.readBatches 1 MiB + decode',
    value: refRaw,
  });
  figures.batchSendAcks1RecordsPerSec = Math.round(unsynced.rate);
  figures.batchSendAcksAllRecordsPerSec = Math.round(fsynced.rate);
  figures.eachBatchRecordsPerSec = Math.round(consumed);
  figures.logBatchAppendRecordsPerSec = Math.round(refUnsync.rate);
  figures.logBatchAppendSyncRecordsPerSec = Math.round(refSync.rate);
  figures.logReadRecordsPerSec = Math.round(refRead);
  figures.logReadBatchesDecodeRecordsPerSec = Math.round(refRaw);
}

const only = process.env.BENCH_CLIENTS_ONLY;

export async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'trib-bench-clients-'));
  const figures: Record<string, number> = {};
  try {
    if (only === undefined || only === 'send') await sendThroughput(dir, figures);
    if (only === undefined || only === 'latency') await latency(dir, figures);
    if (only === undefined || only === 'group') await groupThroughput(dir, figures);
    if (only === undefined || only === 'rebalance') await rebalance(dir, figures);
    if (only === undefined || only === 'batch') await batchThroughput(dir, figures);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
