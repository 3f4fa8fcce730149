import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plainCount, wordCountTopology } from '../../examples/wordcount/wordcount.ts';
import { openLog } from '../../src/log/index.ts';
import { KafkaStreams } from '../../src/streams/index.ts';
import { L, S } from './helpers.ts';
import { nodeArgs } from '../setup/node-args.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the child until `killAfterMs` after it says ready, then SIGKILLs it. */
function runChild(dataDir: string, guarantee: string, run: number, killAfterMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs(join(import.meta.dirname, 'fixtures/wordcount-child.ts')), dataDir, guarantee, String(run)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited by itself: ${stderr}`)),
    );
  });
}

/** Finishes the app in this process and returns the three views of the counts. */
async function finish(dataDir: string, guarantee: 'exactly_once_v2' | 'at_least_once') {
  const log = await openLog({ dataDir: join(dataDir, 'log'), maintenanceIntervalMs: 0 });
  const streams = new KafkaStreams(wordCountTopology(), {
    applicationId: 'crash-wc',
    log,
    processingGuarantee: guarantee,
    stateDir: join(dataDir, 'state'),
  });
  await streams.start();
  await streams.waitForIdle();
  const lines: string[] = [];
  const topic = new Map<string, number>();
  for (let p = 0; p < 2; p++) {
    for (let at = 0; at < log.offsets('text-lines', p).highWatermark; ) {
      const r = await log.read('text-lines', p, at, { maxBytes: 16 << 20 });
      for (const rec of r.records) lines.push(S.deserialize('text-lines', rec.value)!);
      at = r.nextOffset;
    }
    for (let at = 0; at < log.offsets('word-counts', p).highWatermark; ) {
      const r = await log.read('word-counts', p, at, { maxBytes: 16 << 20 });
      for (const rec of r.records)
        topic.set(S.deserialize('word-counts', rec.key)!, L.deserialize('word-counts', rec.value)!);
      at = r.nextOffset;
    }
  }
  const store = new Map(
    streams
      .store<string, number>('counts-store')
      .all()
      .map(({ key, value }) => [key, value]),
  );
  await streams.close();
  await log.close();
  return { expected: plainCount(lines), topic, store, lines: lines.length };
}

function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe('WordCount under SIGKILL', () => {
  it('should count every word exactly once across 10 SIGKILLs with exactly_once_v2', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trib-wc-eos-'));
    dirs.push(dataDir);
    const rand = random(7);
    for (let run = 0; run < 10; run++) await runChild(dataDir, 'exactly_once_v2', run, 30 + Math.floor(rand() * 300));
    const { expected, topic, store, lines } = await finish(dataDir, 'exactly_once_v2');
    expect(lines).toBeGreaterThan(200);
    expect(Object.fromEntries(topic)).toEqual(Object.fromEntries(expected));
    expect(Object.fromEntries(store)).toEqual(Object.fromEntries(expected));
  }, 120_000);

  it('may over-count with at_least_once, never under-count (outputs and offsets are separate writes)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trib-wc-alos-'));
    dirs.push(dataDir);
    const rand = random(11);
    for (let run = 0; run < 5; run++) await runChild(dataDir, 'at_least_once', run, 30 + Math.floor(rand() * 300));
    const { expected, topic, store } = await finish(dataDir, 'at_least_once');
    const over = [...expected].reduce((sum, [word, n]) => sum + (topic.get(word) ?? 0) - n, 0);
    if (process.env.TRIBUTARY_REPORT) console.log(`at_least_once over-counted ${over} words after 5 SIGKILLs`);
    expect(over).toBeGreaterThanOrEqual(0);
    for (const [word, n] of expected) {
      expect(topic.get(word)).toBeGreaterThanOrEqual(n);
      expect(store.get(word)).toBe(topic.get(word));
    }
  }, 120_000);
});
