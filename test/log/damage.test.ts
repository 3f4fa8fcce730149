/**
 * The damage suite: copies of a data directory get one flipped bit, a truncation or a deletion in
 * each kind of file (LevelDB's tables, write-ahead log, MANIFEST and CURRENT, Tributary's journal)
 * or a flipped bit in a partition state; each copy is opened and read in full in a child process
 * with a timeout. The outcome must be exactly the data, or a typed error: never a hang, never a
 * crash, never different data.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../src/log/engine.ts';
import { openLog } from '../../src/log/index.ts';
import { partitionStateKey } from '../../src/log/keys.ts';
import type { KvOp, KvStore } from '../../src/log/storage/kv.ts';
import { LevelKvStore } from '../../src/log/storage/level.ts';
import { digest } from './fixtures/dump.ts';
import { nodeArgs } from '../setup/node-args.ts';

const root = mkdtempSync(join(tmpdir(), 'tributary-damage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const base = join(root, 'base');
const enc = new TextEncoder();
const CASE_TIMEOUT_MS = 15_000;

/** LevelDB whose writes can be held back: the journal then holds writes LevelDB never got, as after a crash. */
class HeldStore implements KvStore {
  readonly inner: LevelKvStore;
  held = false;
  constructor(location: string) {
    this.inner = new LevelKvStore(location);
  }
  open = () => this.inner.open();
  close = () => this.inner.close();
  get = (key: Uint8Array) => this.inner.get(key);
  iterator: KvStore['iterator'] = (range) => this.inner.iterator(range);
  clear: KvStore['clear'] = (range) => this.inner.clear(range);
  write(ops: KvOp[], sync: boolean): Promise<void> {
    return this.held ? new Promise(() => undefined) : this.inner.write(ops, sync);
  }
}

function records(prefix: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    key: enc.encode(`${prefix}-k${i % 7}`),
    value: enc.encode(`${prefix}-value-${i}-${'x'.repeat(40 + (i % 13))}`),
    headers: [{ key: 'h', value: enc.encode(String(i)) }],
  }));
}

/**
 * A data directory with every kind of file: tables (written when LevelDB reopens and flushes its
 * log), a write-ahead log with later writes, and journal frames LevelDB had not applied.
 */
async function buildBase(): Promise<void> {
  let log = await openLog({ dataDir: base, maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'orders', numPartitions: 3 });
  await log.createTopic({ topic: 'table', configs: { 'cleanup.policy': 'compact' } });
  for (let b = 0; b < 30; b++) {
    for (let p = 0; p < 3; p++) await log.append('orders', p, records(`o${b}`, 5), { sync: b % 5 === 0 });
    await log.append('table', 0, records(`t${b}`, 3));
  }
  await log.close();
  log = await openLog({ dataDir: base, maintenanceIntervalMs: 0 });
  for (let b = 30; b < 45; b++) {
    for (let p = 0; p < 3; p++) await log.append('orders', p, records(`o${b}`, 5));
  }
  await log.compact('table', 0);
  await log.close();
  const store = new HeldStore(base);
  const crashed = await EmbeddedLog.open(store, { maintenanceIntervalMs: 0, journalDir: join(base, 'journal') });
  await crashed.append('orders', 0, records('before-crash', 4));
  await crashed.flush();
  store.held = true;
  for (let b = 0; b < 12; b++) await crashed.append('orders', b % 3, records(`journal${b}`, 3));
  await store.inner.close();
}

type Damage = { name: string; apply: (dir: string) => Promise<void> | void };

/** Positions spread through a file, the same every run. */
function positions(size: number): number[] {
  if (size <= 16) return [0, Math.floor(size / 2), size - 1].filter((p, i, all) => p >= 0 && all.indexOf(p) === i);
  return [0.01, 0.27, 0.5, 0.74, 0.97].map((f) => Math.min(size - 1, Math.floor(size * f) + 3));
}

function damages(): Damage[] {
  const out: Damage[] = [];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!['LOCK', 'LOG', 'LOG.old', 'tributary.lock', 'tributary.closed'].includes(name))
        files.push(relative(base, path));
    }
  };
  walk(base);
  for (const file of files.sort()) {
    const size = statSync(join(base, file)).size;
    if (size === 0) continue;
    for (const at of positions(size)) {
      out.push({
        name: `${file}: bit flipped at byte ${at}`,
        apply: (dir) => {
          const bytes = readFileSync(join(dir, file));
          bytes[at]! ^= 1 << (at % 8);
          writeFileSync(join(dir, file), bytes);
        },
      });
    }
    out.push({
      name: `${file}: truncated to half`,
      apply: (dir) => truncateSync(join(dir, file), Math.floor(size / 2)),
    });
    if (size > 7)
      out.push({ name: `${file}: last 7 bytes cut`, apply: (dir) => truncateSync(join(dir, file), size - 7) });
    out.push({ name: `${file}: deleted`, apply: (dir) => unlinkSync(join(dir, file)) });
  }
  for (const [partition, byte] of [
    [0, 15],
    [1, 2],
    [2, 41],
  ] as const) {
    out.push({
      name: `partition state of orders-${partition}: bit flipped at byte ${byte}`,
      apply: async (dir) => {
        const store = new LevelKvStore(dir, { createIfMissing: false });
        await store.open();
        try {
          const key = partitionStateKey(1, partition);
          const value = Uint8Array.from((await store.get(key))!);
          value[byte]! ^= 0x10;
          await store.write([{ type: 'put', key, value }], true);
        } finally {
          await store.close();
        }
      },
    });
  }
  return out;
}

interface Answer {
  dataDir: string;
  ok: boolean;
  digest?: string;
  records?: number;
  typed?: boolean;
  code?: string;
  message?: string;
}

/** A child process that opens directories one at a time; killed and replaced when one hangs. */
class Opener {
  #child: ChildProcessWithoutNullStreams | undefined;
  #buffer = '';
  #waiting: ((answer: Answer | 'crashed') => void) | undefined;
  /** The end of what the child wrote to stderr: what a crash report shows. */
  #stderr = '';

  /** Why the child last died: its exit code or signal and the end of its stderr. */
  get lastCrash(): string {
    return this.#stderr.slice(-600);
  }

  #start(): ChildProcessWithoutNullStreams {
    const child = spawn(process.execPath, nodeArgs(join(import.meta.dirname, 'fixtures/damage-opener.ts')), {
      stdio: 'pipe',
    });
    child.stdout.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString();
      const nl = this.#buffer.indexOf('\n');
      if (nl >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        this.#waiting?.(JSON.parse(line) as Answer);
      }
    });
    this.#stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.#child === child) this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      // A child killed for hanging exits after its replacement took a request: not that request's crash.
      if (this.#child !== child) return;
      this.#child = undefined;
      this.#stderr += `\n[exit ${code ?? signal}]`;
      this.#waiting?.('crashed');
    });
    return child;
  }

  /** Opens `dataDir` (with `repair`, after `trib doctor --repair`) and reads it all. */
  open(dataDir: string, repair = false): Promise<Answer | 'hang' | 'crashed'> {
    this.#child ??= this.#start();
    const child = this.#child;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting = undefined;
        this.#child = undefined;
        child.kill('SIGKILL');
        resolve('hang');
      }, CASE_TIMEOUT_MS);
      this.#waiting = (answer) => {
        clearTimeout(timer);
        this.#waiting = undefined;
        resolve(answer);
      };
      child.stdin.write(`${repair ? 'repair ' : ''}${dataDir}\n`);
    });
  }

  stop(): void {
    this.#child?.stdin.end();
    this.#child = undefined;
  }
}

/**
 * The digests of the directory with its journal cut after each whole frame. The journal holds only
 * writes made without `sync`, which the durability contract lets a power loss take from its end:
 * a journal cut short or gone must open to one of these, LevelDB's data plus a prefix of frames.
 */
async function journalPrefixes(): Promise<Set<string>> {
  const [name] = readdirSync(join(base, 'journal'));
  const bytes = readFileSync(join(base, 'journal', name!));
  const ends = [0];
  for (let at = 0; at < bytes.length; ) {
    at += 8 + bytes.readUInt32BE(at);
    ends.push(at);
  }
  const out = new Set<string>();
  for (const end of ends) {
    const copy = join(root, `prefix-${end}`);
    cpSync(base, copy, { recursive: true });
    truncateSync(join(copy, 'journal', name!), end);
    const log = await openLog({ dataDir: copy, maintenanceIntervalMs: 0 });
    out.add((await digest(log)).digest);
    await log.close();
    rmSync(copy, { recursive: true, force: true });
  }
  return out;
}

describe('damaged data directories', () => {
  let expected: { digest: string; records: number };
  let prefixes: Set<string>;

  beforeAll(async () => {
    await buildBase();
    // What the undamaged directory holds (opening applies the journal, so on a copy).
    const copy = join(root, 'expected');
    cpSync(base, copy, { recursive: true });
    const log = await openLog({ dataDir: copy, maintenanceIntervalMs: 0 });
    expected = await digest(log);
    await log.close();
    prefixes = await journalPrefixes();
  }, 60_000);

  it('should open every damaged copy to exactly the data or a typed error, never a hang or different data', async () => {
    // DAMAGE_ONLY=<substring> runs the matching cases (DAMAGE_REPEAT times each), to chase one.
    const only = process.env.DAMAGE_ONLY;
    const cases = damages().flatMap((c) =>
      only === undefined ? [c] : c.name.includes(only) ? Array(Number(process.env.DAMAGE_REPEAT ?? 1)).fill(c) : [],
    );
    const kinds = new Set(cases.map((c) => c.name.split(':')[0]!.replace(/\d+/g, 'N')));
    for (const kind of only !== undefined
      ? []
      : ['N.ldb', 'N.log', 'MANIFEST-N', 'CURRENT', 'journal/N.journal', 'partition state of orders-N']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(expected.records).toBeGreaterThan(700);

    const openers = [new Opener(), new Opener()];
    const outcomes: { name: string; outcome: string }[] = [];
    const repairs: number[] = [];
    let next = 0;
    await Promise.all(
      openers.map(async (opener) => {
        while (next < cases.length) {
          const index = next++;
          const c = cases[index]!;
          const dir = join(root, `case-${index}`);
          cpSync(base, dir, { recursive: true });
          await c.apply(dir);
          const answer = await opener.open(dir);
          let outcome: string;
          if (answer === 'hang') outcome = answer;
          else if (answer === 'crashed') outcome = `crashed: ${opener.lastCrash}`;
          else if (answer.ok && answer.digest === expected.digest) outcome = 'same data';
          else if (answer.ok && /^journal\/.*(truncated|cut|deleted)/.test(c.name) && prefixes.has(answer.digest!))
            outcome = 'journal prefix';
          else if (answer.ok) outcome = `DIFFERENT DATA (${answer.records} records)`;
          else outcome = answer.typed ? `typed ${answer.code}` : `UNTYPED ${answer.code ?? ''} ${answer.message}`;
          // A refused directory must be one that trib doctor --repair turns into a log that opens.
          if (outcome.startsWith('typed')) {
            const repaired = await opener.open(dir, true);
            if (repaired === 'hang' || repaired === 'crashed' || !repaired.ok) {
              const why = repaired === 'crashed' ? `crashed: ${opener.lastCrash}` : repaired;
              outcome = `NOT REPAIRABLE: ${typeof why === 'string' ? why : why.message}`;
            } else repairs.push(repaired.records!);
          }
          outcomes.push({ name: c.name, outcome });
          // A child may still be finishing a close in it; whatever stays goes with the root.
          try {
            rmSync(dir, { recursive: true, force: true });
          } catch {}
        }
        opener.stop();
      }),
    );
    const bad = outcomes.filter(
      ({ outcome }) => !/^(same data|journal prefix|typed (CORRUPT_MESSAGE|STORAGE_ERROR))$/.test(outcome),
    );
    const tally = new Map<string, number>();
    for (const { outcome } of outcomes) tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    console.log(
      `damage suite: ${outcomes.length} cases: ${[...tally].map(([k, v]) => `${v} ${k}`).join(', ')}; ${repairs.length} repaired, keeping ${Math.min(...repairs)} to ${Math.max(...repairs)} of ${expected.records} records`,
    );
    expect(bad, bad.map((b) => `${b.name} → ${b.outcome}`).join('\n')).toEqual([]);
    expect(outcomes).toHaveLength(cases.length);
  }, 120_000);
});
