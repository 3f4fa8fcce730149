/**
 * The exactly-once crash scenario of a windowed, suppressed count on the embedded log: a child
 * process (fixtures/windowed-count-child.ts) counts clicks per key in tumbling 100 ms event-time
 * windows, suppressed until each window closes, while it produces more clicks; it is SIGKILLed
 * `kills` times at random moments, then this process finishes the app. The final results read
 * back (read_committed) must be what a plain computation over the input gives: every closed
 * window exactly once, with its full count.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { Serdes } from '../../src/serde/index.ts';
import { BufferConfig, KafkaStreams, StreamsBuilder, Suppressed, TimeWindows } from '../../src/streams/index.ts';
import { nodeArgs } from '../setup/node-args.ts';

export const INPUT = 'clicks';
export const OUTPUT = 'clicks-per-window';
export const WINDOW_MS = 100;
const S = Serdes.String();

/** count per key and tumbling window, suppressed until the window closes, as `key@start` → count. */
export function windowedCountTopology() {
  const b = new StreamsBuilder();
  b.stream(INPUT, { keySerde: S, valueSerde: S })
    .groupByKey({ keySerde: S, valueSerde: S })
    .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS))
    .count({ materialized: { storeName: 'clicks-per-window-store', keySerde: S, valueSerde: Serdes.LongNumber() } })
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .map((w, c) => ({ key: `${w.key}@${w.window.start}`, value: String(c) }))
    .to(OUTPUT, { keySerde: S, valueSerde: S });
  return b.build();
}

/** Runs the child until `killAfterMs` after it says ready, then SIGKILLs it; resolves once it is gone. */
function runChild(dataDir: string, killAfterMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs(join(import.meta.dirname, 'fixtures/windowed-count-child.ts')), dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Never outlive the test: killed at the latest after a minute, whatever it says.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      if (timer === undefined && d.toString().includes('ready'))
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (timer !== undefined) clearTimeout(timer);
      if (signal === 'SIGKILL' && timer !== undefined) resolve();
      else reject(new Error(`child exited by itself (${signal ?? _code}): ${stderr}`));
    });
  });
}

function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

export interface WindowedCrashResult {
  /** Input clicks in the log at the end. */
  clicks: number;
  /** Input clicks after each kill (the kills hit a producing, running app). */
  progress: number[];
  /** What the plain computation says the final results are: `key@start` → count. */
  expected: Map<string, number>;
  /** Every result record read back, in order per partition. */
  emitted: { key: string; count: number }[];
}

export async function runWindowedCrashScenario(options: {
  dataDir: string;
  kills: number;
  seed: number;
}): Promise<WindowedCrashResult> {
  const rand = random(options.seed);
  const progress: number[] = [];
  for (let run = 0; run < options.kills; run++) {
    await runChild(options.dataDir, 50 + Math.floor(rand() * 300));
    progress.push(await clicksIn(options.dataDir));
  }
  const log = await openLog({ dataDir: join(options.dataDir, 'log'), maintenanceIntervalMs: 0 });
  try {
    const streams = new KafkaStreams(windowedCountTopology(), {
      applicationId: 'crash-windowed',
      log,
      processingGuarantee: 'exactly_once_v2',
      stateDir: join(options.dataDir, 'state'),
    });
    await streams.start();
    await streams.waitForIdle();
    await streams.close();

    // The plain computation: counts per key and window, and per partition its latest click; a
    // window is final once its partition's stream time reached its end (no grace).
    const counts = new Map<string, number>();
    const windowsOf = new Map<number, Set<string>>();
    const emitted: { key: string; count: number }[] = [];
    let clicks = 0;
    const expected = new Map<string, number>();
    for (let p = 0; p < 2; p++) {
      let streamTime = -1;
      const windows = new Set<string>();
      windowsOf.set(p, windows);
      for (const rec of await readAll(log, INPUT, p)) {
        clicks++;
        streamTime = Math.max(streamTime, rec.timestamp);
        const id = `${S.deserialize(INPUT, rec.key)}@${rec.timestamp - (rec.timestamp % WINDOW_MS)}`;
        counts.set(id, (counts.get(id) ?? 0) + 1);
        windows.add(id);
      }
      for (const id of windows) {
        const start = Number(id.slice(id.indexOf('@') + 1));
        if (start + WINDOW_MS <= streamTime) expected.set(id, counts.get(id)!);
      }
      for (const rec of await readAll(log, OUTPUT, p))
        emitted.push({ key: S.deserialize(OUTPUT, rec.key)!, count: Number(S.deserialize(OUTPUT, rec.value)) });
    }
    return { clicks, progress, expected, emitted };
  } finally {
    await log.close();
  }
}

async function clicksIn(dataDir: string): Promise<number> {
  const log = await openLog({ dataDir: join(dataDir, 'log'), maintenanceIntervalMs: 0 });
  try {
    if (!(await log.listTopics()).includes(INPUT)) return 0;
    return log.offsets(INPUT, 0).highWatermark + log.offsets(INPUT, 1).highWatermark;
  } finally {
    await log.close();
  }
}

async function readAll(log: Awaited<ReturnType<typeof openLog>>, topic: string, partition: number) {
  const out = [];
  const end = log.offsets(topic, partition).lastStableOffset;
  for (let at = 0; at < end; ) {
    const r = await log.read(topic, partition, at, { maxBytes: 16 << 20, isolation: 'read_committed' });
    if (r.records.length === 0) break;
    out.push(...r.records);
    at = r.nextOffset;
  }
  return out;
}

/** Every closed window emitted exactly once, with its full count; nothing else. */
export function expectExactlyOnce(result: WindowedCrashResult): void {
  const seen = new Map<string, number>();
  const twice: string[] = [];
  for (const { key, count } of result.emitted) {
    if (seen.has(key)) twice.push(key);
    seen.set(key, count);
  }
  expect(twice).toEqual([]);
  expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(result.expected));
}
