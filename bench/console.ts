/**
 * `npm run bench -- console`: the web console over a large log (issue 18: "a page lists 10,000
 * topics and browses a 10 GB topic without slowing the broker: first page of messages in under
 * 200 ms"). Through the console's HTTP API on a real socket, beside the log's own calls:
 *
 * - the topics page's call (`GET /api/topics?limit=500`) with 10,000 topics, beside
 *   `log.listTopics()` plus a `describeTopic` of each;
 * - the first page of messages (50 records) of a topic of `BENCH_CONSOLE_GB` gigabytes (default 1;
 *   10 for the figure) from the beginning, the middle (an offset), the end and a timestamp,
 *   beside `log.read` of the same 50 records;
 * - `log.append` throughput while a client pages through that topic as fast as it can, beside the
 *   same appends alone: what browsing costs the writers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConsole } from '../src/console/index.ts';
import { openLog } from '../src/index.ts';
import { line, since } from './report.ts';

const TOPICS = Number(process.env.BENCH_CONSOLE_TOPICS ?? 10_000);
const GIGABYTES = Number(process.env.BENCH_CONSOLE_GB ?? 1);
const RECORD = Buffer.alloc(1024, 'x');
const PER_BATCH = 1000;

async function timed(fn: () => Promise<unknown>, runs = 7): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-console-'));
  const log = await openLog({ dataDir: dir, maintenanceIntervalMs: 0 });
  const figures: Record<string, number> = {};
  try {
    let start = performance.now();
    for (let i = 0; i < TOPICS; i++) await log.createTopic({ topic: `topic-${String(i).padStart(5, '0')}` });
    console.log(`(${TOPICS} topics created in ${since(start).toFixed(1)} s)`);

    const records = Math.floor((GIGABYTES * 1024 ** 3) / RECORD.length);
    await log.createTopic({ topic: 'big', numPartitions: 1 });
    start = performance.now();
    const t0 = Date.now();
    for (let written = 0; written < records; written += PER_BATCH) {
      const n = Math.min(PER_BATCH, records - written);
      // One millisecond of timestamps per batch, so a timestamp names a place in the topic.
      const timestamp = t0 + written / PER_BATCH;
      await log.append(
        'big',
        0,
        Array.from({ length: n }, () => ({ key: null, value: RECORD, timestamp })),
      );
    }
    console.log(
      `(${GIGABYTES} GiB, ${records.toLocaleString('en-US')} records of 1 KiB written in ${since(start).toFixed(1)} s)`,
    );

    const server = await startConsole({ log, port: 0 });
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ records?: unknown[]; topics?: unknown[] }>;
    };
    try {
      const listing = await timed(() => get('/api/topics?limit=500'));
      const reference = await timed(async () => {
        for (const t of await log.listTopics()) await log.describeTopic(t);
      });
      line(`topics page, ${TOPICS + 1} topics (ms)`, listing, 'ms', {
        label: 'listTopics+describeTopic',
        value: reference,
      });
      figures.topicsPageMs = listing;

      const middle = Math.floor(records / 2);
      const pages: [string, string, number][] = [
        ['beginning', '/api/topics/big/messages?partition=0&from=beginning&limit=50', 0],
        ['middle offset', `/api/topics/big/messages?partition=0&from=offset&offset=${middle}&limit=50`, middle],
        ['end', '/api/topics/big/messages?partition=0&from=end&limit=50', records - 50],
        [
          'timestamp',
          `/api/topics/big/messages?partition=0&from=timestamp&timestamp=${t0 + Math.floor(middle / PER_BATCH)}&limit=50`,
          Math.floor(middle / PER_BATCH) * PER_BATCH,
        ],
      ];
      for (const [name, path, offset] of pages) {
        let got = 0;
        const ms = await timed(async () => {
          got = (await get(path)).records?.length ?? 0;
        });
        if (got !== 50) throw new Error(`${name}: ${got} records instead of 50`);
        const reference = await timed(() => log.read('big', 0, offset, { maxRecords: 50 }));
        line(`first page of 50, from ${name} (ms)`, ms, 'ms', { label: 'log.read of 50', value: reference });
        figures[`firstPage_${name.replace(/ /g, '_')}_ms`] = ms;
      }

      // What browsing costs writers: appends of 1,000 small records, alone and while a reader pages.
      await log.createTopic({ topic: 'writes', numPartitions: 1 });
      const appendFor = async (ms: number) => {
        const value = Buffer.alloc(100, 1);
        let n = 0;
        const until = performance.now() + ms;
        while (performance.now() < until) {
          await log.append(
            'writes',
            0,
            Array.from({ length: 1000 }, () => ({ key: null, value })),
          );
          n += 1000;
        }
        return n / (ms / 1000);
      };
      const alone = await appendFor(3000);
      // A reader paging flat out, then one paging as a person does (a page every 200 ms).
      for (const [label, pauseMs] of [
        ['flat out', 0],
        ['5 pages/s', 200],
      ] as const) {
        let browsing = true;
        let pagesServed = 0;
        const reader = (async () => {
          let offset = 0;
          while (browsing) {
            await get(`/api/topics/big/messages?partition=0&from=offset&offset=${offset}&limit=50`);
            offset = (offset + 7919 * 50) % (records - 50);
            pagesServed++;
            if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
          }
        })();
        const withBrowsing = await appendFor(3000);
        browsing = false;
        await reader;
        line(`log.append, console paging ${label} (rec/s)`, withBrowsing, 'records/s', {
          label: 'alone',
          value: alone,
        });
        console.log(`(${pagesServed} pages served meanwhile, ${(pagesServed / 3).toFixed(0)}/s)`);
        figures[`appendWhileBrowsing_${pauseMs}ms`] = withBrowsing;
      }
      figures.appendAlone = alone;
    } finally {
      await server.close();
    }
  } finally {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
