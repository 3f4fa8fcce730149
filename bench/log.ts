/**
 * `npm run bench -- log`: the embedded log against raw LevelDB writing the same bytes.
 *
 * Records are 10-byte keys and 100-byte values in batches of 1000, on 1 and 8 partitions. The
 * reference is classic-level itself, one ~110 KiB value per key (a batch's worth of the same key
 * and value bytes), written and scanned back in the same run with the same concurrency and the
 * same LevelDB settings as the log's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { type AppendRecord, type EmbeddedLogBackend, openLog } from '../src/log/index.ts';
import { LEVEL_OPTIONS } from '../src/log/storage/level.ts';
import { line, since } from './report.ts';

const BATCH = 1000;
const KEY_BYTES = 10;
const VALUE_BYTES = 100;
const RECORD_BYTES = KEY_BYTES + VALUE_BYTES;
const IN_FLIGHT = 8;

function makeBatches(count: number, keySpace = Number.POSITIVE_INFINITY): AppendRecord[][] {
  const value = Buffer.alloc(VALUE_BYTES);
  for (let i = 0; i < VALUE_BYTES; i++) value[i] = (i * 31 + 7) & 0xff;
  const batches: AppendRecord[][] = [];
  let n = 0;
  const now = Date.now();
  for (let b = 0; b < count; b++) {
    const records: AppendRecord[] = new Array(BATCH);
    for (let i = 0; i < BATCH; i++, n++) {
      const id = Number.isFinite(keySpace) ? Math.floor(Math.random() * keySpace) : n;
      records[i] = { key: Buffer.from(`k${String(id).padStart(KEY_BYTES - 1, '0')}`), value, timestamp: now };
    }
    batches.push(records);
  }
  return batches;
}

/** The same bytes a batch's records carry, as one value, for the raw reference. */
function rawValue(records: AppendRecord[]): Buffer {
  return Buffer.concat(records.flatMap((r) => [r.key!, r.value!]));
}

function rawKey(partition: number, n: number): Buffer {
  const key = Buffer.alloc(12);
  key.writeUInt32BE(partition, 0);
  key.writeUInt32BE(Math.floor(n / 2 ** 32), 4);
  key.writeUInt32BE(n >>> 0, 8);
  return key;
}

/** Runs `task(i)` for i in [0, count) with at most `limit` in flight. */
async function pipelined(count: number, limit: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

interface Pass {
  produce: number;
  consume: number;
}

/**
 * What a pass writes: `count` batches, batch `i` made by `batch(i)`. The batches come round-robin
 * from a small pool: holding millions of record objects alive would make every garbage collection
 * of the run mark them, and the figures would measure that instead of the log.
 */
interface Workload {
  count: number;
  batch: (i: number) => AppendRecord[];
}

function pooled(count: number): Workload {
  const pool = makeBatches(64);
  return { count, batch: (i) => pool[i % pool.length]! };
}

async function logPass(
  dir: string,
  work: Workload,
  partitions: number,
  sync: boolean,
  inFlight: number,
): Promise<Pass> {
  const log = await openLog({ dataDir: dir, maintenanceIntervalMs: 0 });
  try {
    await log.createTopic({ topic: 'bench', numPartitions: partitions, configs: { 'retention.ms': -1 } });
    let start = performance.now();
    await pipelined(work.count, inFlight, (i) => log.append('bench', i % partitions, work.batch(i), { sync }));
    const produce = since(start);
    start = performance.now();
    let records = 0;
    await Promise.all(
      Array.from({ length: partitions }, async (_, p) => {
        let offset = 0;
        const { highWatermark } = log.offsets('bench', p);
        while (offset < highWatermark) {
          // One 1 MiB fetch budget shared by the partitions read at once, as Kafka's fetch.max.bytes.
          const result = await log.read('bench', p, offset, { maxBytes: (1024 * 1024) / partitions });
          records += result.records.length;
          offset = result.nextOffset;
        }
      }),
    );
    const consume = since(start);
    if (records !== work.count * BATCH) throw new Error(`read ${records} records, wrote ${work.count * BATCH}`);
    return { produce, consume };
  } finally {
    await log.close();
  }
}

async function rawPass(
  dir: string,
  work: Workload,
  partitions: number,
  sync: boolean,
  inFlight: number,
): Promise<Pass> {
  const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  // The same LevelDB settings as the log's, so the ratio compares the engine and not the tuning.
  await db.open(LEVEL_OPTIONS);
  try {
    // The same bytes, made ahead like the log's records so neither side pays for making them.
    const values = new Map<AppendRecord[], Buffer>();
    for (let i = 0; i < Math.min(work.count, 64); i++) values.set(work.batch(i), rawValue(work.batch(i)));
    const value = (i: number) => values.get(work.batch(i)) ?? rawValue(work.batch(i));
    let start = performance.now();
    await pipelined(work.count, inFlight, (i) => db.put(rawKey(i % partitions, i), value(i), { sync }));
    const produce = since(start);
    start = performance.now();
    let bytes = 0;
    // Gathering up to 1 MiB per call, as the log's reads ask LevelDB to (its default stops at 16 KiB).
    const it = db.iterator({ highWaterMarkBytes: 1 << 20 });
    for (;;) {
      const entries = await it.nextv(32);
      if (entries.length === 0) break;
      for (const [, v] of entries) bytes += v.length;
    }
    await it.close();
    const consume = since(start);
    if (bytes !== work.count * BATCH * RECORD_BYTES) throw new Error('raw scan read the wrong number of bytes');
    return { produce, consume };
  } finally {
    await db.close();
  }
}

async function heapFlat(root: string, gigabytes: number): Promise<{ growthMb: number; samples: number[] }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = () => {
    gc?.();
    return process.memoryUsage().heapUsed / 1e6;
  };
  const log: EmbeddedLogBackend = await openLog({ dataDir: join(root, 'heap'), maintenanceIntervalMs: 0 });
  const batches = makeBatches(64);
  const total = Math.ceil((gigabytes * 1e9) / (BATCH * RECORD_BYTES));
  const samples: number[] = [];
  try {
    await log.createTopic({ topic: 'heap', numPartitions: 8, configs: { 'retention.ms': -1 } });
    const every = Math.ceil(total / 10);
    await pipelined(total, IN_FLIGHT, async (i) => {
      await log.append('heap', i % 8, batches[i % batches.length]!);
      if (i % every === 0) samples.push(Math.round(heap()));
    });
    samples.push(Math.round(heap()));
  } finally {
    await log.close();
    rmSync(join(root, 'heap'), { recursive: true, force: true });
  }
  // Growth from the first sample taken with data in the log (the first holds only the warm-up).
  const settled = samples.slice(1);
  return { growthMb: Math.max(...settled) - Math.min(...settled), samples };
}

export async function run(): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
  const figures: Record<string, number> = {};
  let dirs = 0;
  const dir = () => join(root, `db-${dirs++}`);
  try {
    const totalBatches = Number(process.env.BENCH_LOG_BATCHES ?? 2000);
    const batches = pooled(totalBatches);
    const records = totalBatches * BATCH;
    const mb = (records * RECORD_BYTES) / 1e6;
    console.log(
      `${records.toLocaleString('en-US')} records of ${KEY_BYTES}+${VALUE_BYTES} bytes, batches of ${BATCH}, ${IN_FLIGHT} appends in flight`,
    );

    for (const partitions of [1, 8]) {
      await logPass(dir(), pooled(100), partitions, false, IN_FLIGHT); // warm-up
      const ours = await logPass(dir(), batches, partitions, false, IN_FLIGHT);
      const raw = await rawPass(dir(), batches, partitions, false, IN_FLIGHT);
      const tag = `p${partitions}`;
      figures[`produce_${tag}_records_s`] = records / ours.produce;
      figures[`produce_${tag}_mb_s`] = mb / ours.produce;
      figures[`raw_write_${tag}_records_s`] = records / raw.produce;
      figures[`produce_${tag}_ratio`] = raw.produce / ours.produce;
      figures[`consume_${tag}_records_s`] = records / ours.consume;
      figures[`consume_${tag}_mb_s`] = mb / ours.consume;
      figures[`raw_scan_${tag}_records_s`] = records / raw.consume;
      figures[`consume_${tag}_ratio`] = raw.consume / ours.consume;
      const rawWrite = { label: 'raw LevelDB', value: records / raw.produce };
      line(`produce, ${partitions} partition(s), no fsync`, records / ours.produce, 'records/s', rawWrite);
      line(`produce, ${partitions} partition(s), no fsync`, mb / ours.produce, 'MB/s', {
        label: 'raw LevelDB',
        value: mb / raw.produce,
      });
      line(`consume, ${partitions} partition(s)`, records / ours.consume, 'records/s', {
        label: 'raw LevelDB scan',
        value: records / raw.consume,
      });
      line(`consume, ${partitions} partition(s)`, mb / ours.consume, 'MB/s', {
        label: 'raw LevelDB scan',
        value: mb / raw.consume,
      });
    }

    // fsync: strictly one fsync per batch (one append at a time), and pipelined (group commit).
    const syncBatches = pooled(Math.min(totalBatches, 500));
    const syncRecords = syncBatches.count * BATCH;
    for (const [mode, inFlight] of [
      ['one at a time', 1],
      [`${IN_FLIGHT} in flight`, IN_FLIGHT],
    ] as const) {
      const ours = await logPass(dir(), syncBatches, 1, true, inFlight);
      const raw = await rawPass(dir(), syncBatches, 1, true, inFlight);
      const tag = inFlight === 1 ? 'serial' : 'pipelined';
      figures[`produce_sync_${tag}_records_s`] = syncRecords / ours.produce;
      figures[`raw_write_sync_${tag}_records_s`] = syncRecords / raw.produce;
      figures[`produce_sync_${tag}_ratio`] = raw.produce / ours.produce;
      line(`produce with fsync, ${mode}`, syncRecords / ours.produce, 'records/s', {
        label: 'raw LevelDB sync put',
        value: syncRecords / raw.produce,
      });
    }

    // Compaction: 1,000,000 records over 10,000 keys.
    {
      const log = await openLog({ dataDir: dir(), maintenanceIntervalMs: 0 });
      try {
        await log.createTopic({ topic: 'table', configs: { 'cleanup.policy': 'compact' } });
        // Fresh random keys for every batch, made as they are appended rather than all held at once.
        await pipelined(1000, IN_FLIGHT, () => log.append('table', 0, makeBatches(1, 10_000)[0]!));
        await log.createTopic({ topic: 'side' });
        const start = performance.now();
        // Appends go on while compaction runs: how long does one wait at worst?
        const latencies: number[] = [];
        let compacting = true;
        const appender = (async () => {
          const one = [{ key: Buffer.from('side'), value: Buffer.from('x') }];
          while (compacting) {
            const t = performance.now();
            await log.append('side', 0, one);
            latencies.push(performance.now() - t);
            await new Promise((r) => setImmediate(r));
          }
        })();
        const result = await log.compact('table', 0);
        const seconds = since(start);
        compacting = false;
        await appender;
        latencies.sort((a, b) => a - b);
        figures.append_during_compaction_p99_ms = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
        figures.append_during_compaction_max_ms = latencies.at(-1) ?? 0;
        const { partitions } = await log.describeTopic('table');
        figures.compact_1m_records_10k_keys_s = seconds;
        figures.compact_records_removed = result.recordsRemoved;
        const rawScan = records / (figures.raw_scan_p1_records_s ?? 1);
        line('compact 1,000,000 records over 10,000 keys', seconds, 's', {
          label: 'raw LevelDB scan of as many bytes',
          value: (1_000_000 / records) * rawScan,
        });
        console.log(
          `  removed ${result.recordsRemoved.toLocaleString('en-US')} records; ${partitions[0]!.sizeBytes.toLocaleString('en-US')} bytes remain`,
        );
        line('append latency during compaction, p99', figures.append_during_compaction_p99_ms, 'ms');
        line(
          `append latency during compaction, max of ${latencies.length}`,
          figures.append_during_compaction_max_ms,
          'ms',
        );
      } finally {
        await log.close();
      }
    }

    const gigabytes = Number(process.env.BENCH_HEAP_GB ?? 5);
    if (gigabytes > 0) {
      const heap = await heapFlat(root, gigabytes);
      figures.heap_growth_mb = heap.growthMb;
      figures.heap_gb_produced = gigabytes;
      console.log(`heap while producing ${gigabytes} GB (MB, after GC, every tenth): ${heap.samples.join(' ')}`);
      line(`heap growth over ${gigabytes} GB produced`, heap.growthMb, 'MB');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return figures;
}
