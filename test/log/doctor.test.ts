import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDataDir } from '../../src/log/doctor.ts';
import { EmbeddedLog } from '../../src/log/engine.ts';
import { openLog } from '../../src/log/index.ts';
import { batchKey, partitionStateKey } from '../../src/log/keys.ts';
import type { KvOp, KvStore } from '../../src/log/storage/kv.ts';
import { LevelKvStore } from '../../src/log/storage/level.ts';
import { nodeArgs } from '../setup/node-args.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TRIB = join(ROOT, 'src/cli/trib.ts');
const root = mkdtempSync(join(tmpdir(), 'tributary-doctor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const enc = new TextEncoder();
const dec = new TextDecoder();
let n = 0;

function trib(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...nodeArgs(TRIB), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Every file under `dir` with its size and modification time: what "unchanged" means here. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else out.push(`${path.slice(dir.length)} ${st.size} ${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

/** A closed log with orders-0 holding 5 batches of 10 records (offsets 0-49). */
async function closedLog(): Promise<{ dataDir: string; topicId: number }> {
  const dataDir = join(root, `d${n++}`);
  const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
  const { topicId } = await log.createTopic({ topic: 'orders' });
  for (let b = 0; b < 5; b++) {
    await log.append(
      'orders',
      0,
      Array.from({ length: 10 }, (_, i) => ({ key: null, value: enc.encode(`v${b * 10 + i}`) })),
      { sync: true },
    );
  }
  await log.close();
  return { dataDir, topicId };
}

async function values(dataDir: string): Promise<{ offsets: number[]; highWatermark: number }> {
  const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
  try {
    const offsets: number[] = [];
    let offset = log.offsets('orders', 0).logStartOffset;
    const highWatermark = log.offsets('orders', 0).highWatermark;
    while (offset < highWatermark) {
      const read = await log.read('orders', 0, offset);
      for (const r of read.records) {
        expect(dec.decode(r.value!)).toBe(`v${r.offset}`);
        offsets.push(r.offset);
      }
      offset = read.nextOffset;
    }
    // And it takes writes at fresh offsets.
    expect((await log.append('orders', 0, [{ key: null, value: enc.encode('new') }])).baseOffset).toBe(highWatermark);
    return { offsets, highWatermark };
  } finally {
    await log.close();
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

async function edit(dataDir: string, change: (store: LevelKvStore) => Promise<void>): Promise<void> {
  const store = new LevelKvStore(dataDir, { createIfMissing: false });
  await store.open();
  try {
    await change(store);
  } finally {
    await store.close();
  }
}

describe('trib doctor', () => {
  it('should report a clean directory with exit 0 and change nothing in it', async () => {
    const { dataDir } = await closedLog();
    const before = snapshot(dataDir);
    const result = await trib(['doctor', '--data-dir', dataDir]);
    expect(result.stdout).toContain('1 topic(s), 1 partition(s), 5 batch(es)');
    expect(result.stdout).toContain('OK');
    expect(result.code).toBe(0);
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('should name a damaged batch by topic, partition and offsets, exit 1, and with --repair keep everything else', async () => {
    const { dataDir, topicId } = await closedLog();
    await edit(dataDir, async (store) => {
      const key = batchKey(topicId, 0, 20);
      const bytes = Uint8Array.from((await store.get(key))!);
      bytes[bytes.length - 2]! ^= 0x01;
      await store.write([{ type: 'put', key, value: bytes }], true);
    });
    const before = snapshot(dataDir);
    const checked = await trib(['doctor', '--data-dir', dataDir]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/orders-0: the batch at offset 20 is damaged/);
    expect(snapshot(dataDir)).toEqual(before);

    const repaired = await trib(['doctor', '--data-dir', dataDir, '--repair']);
    expect(repaired.stdout).toContain('LOST orders-0 offsets 20 to 29 (damaged batch deleted)');
    expect(repaired.stdout).toContain('Repaired');
    expect(repaired.code).toBe(0);
    expect(await values(dataDir)).toEqual({ offsets: [...range(0, 20), ...range(30, 50)], highWatermark: 50 });
    expect((await trib(['doctor', '--data-dir', dataDir])).code).toBe(0);
  });

  it('should exit with a typed error, not spin, when the data directory cannot be made (/proc/x)', async () => {
    const result = await trib(['topics', 'create', 'x', '--data-dir', '/proc/x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATA_DIR_INVALID');
    const doctor = await trib(['doctor', '--data-dir', '/proc/x']);
    expect(doctor.code).toBe(1);
    expect(doctor.stderr).toContain('STORAGE_ERROR');
  });

  it('should refuse a directory another live process holds', async () => {
    const { dataDir } = await closedLog();
    writeFileSync(join(dataDir, 'tributary.lock'), `${process.ppid}\n`);
    const result = await trib(['doctor', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATA_DIR_LOCKED');
    unlinkSync(join(dataDir, 'tributary.lock'));
  });
});

describe('checkDataDir', () => {
  it('should find a lost CURRENT, and repair it with every record kept', async () => {
    const { dataDir } = await closedLog();
    unlinkSync(join(dataDir, 'CURRENT'));
    const report = await checkDataDir(dataDir);
    expect(report.ok).toBe(false);
    expect(report.problems[0]!.message).toContain('CURRENT');
    const repaired = await checkDataDir(dataDir, { repair: true });
    expect(repaired.ok).toBe(true);
    expect(repaired.lost).toEqual([]);
    expect(await values(dataDir)).toEqual({ offsets: range(0, 50), highWatermark: 50 });
  });

  it('should find missing offsets and a damaged partition state, and repair them without reusing an offset', async () => {
    const { dataDir, topicId } = await closedLog();
    await edit(dataDir, async (store) => {
      await store.write([{ type: 'del', key: batchKey(topicId, 0, 40) }], true);
      const key = partitionStateKey(topicId, 0);
      const bytes = Uint8Array.from((await store.get(key))!);
      bytes[3]! ^= 0x80;
      await store.write([{ type: 'put', key, value: bytes }], true);
    });
    const report = await checkDataDir(dataDir);
    expect(report.problems.map((p) => p.message)).toContain('its state is damaged (checksum)');
    const repaired = await checkDataDir(dataDir, { repair: true });
    expect(repaired.ok).toBe(true);
    // The state was unreadable, so where the partition ended is what the batches say.
    expect(await values(dataDir)).toEqual({ offsets: range(0, 40), highWatermark: 40 });
  });

  it('should keep offsets lost at the tail unused after a repair', async () => {
    const { dataDir, topicId } = await closedLog();
    await edit(dataDir, (store) => store.write([{ type: 'del', key: batchKey(topicId, 0, 40) }], true));
    const report = await checkDataDir(dataDir);
    expect(report.problems).toMatchObject([{ where: 'orders-0', range: [40, 50] }]);
    const repaired = await checkDataDir(dataDir, { repair: true });
    expect(repaired.lost).toMatchObject([{ topic: 'orders', partition: 0, from: 40, to: 50 }]);
    expect(await values(dataDir)).toEqual({ offsets: range(0, 40), highWatermark: 50 });
  });

  it('should apply the intact journal frames before damage, drop the rest, and list the offsets they held', async () => {
    const dataDir = join(root, `d${n++}`);
    const store = new HeldStore(dataDir);
    const log = await EmbeddedLog.open(store, { maintenanceIntervalMs: 0, journalDir: join(dataDir, 'journal') });
    await log.createTopic({ topic: 'orders' });
    for (let i = 0; i < 20; i++) {
      if (i === 5) {
        await log.flush();
        store.held = true;
      }
      await log.append('orders', 0, [{ key: null, value: enc.encode(`v${i}`) }]);
    }
    await store.inner.close();
    // Frame 10 (offset 10) of the 15 unapplied ones gets a flipped bit.
    const dir = join(dataDir, 'journal');
    const [name] = readdirSync(dir);
    const bytes = readFileSync(join(dir, name!));
    let at = 0;
    for (let i = 0; i < 10; i++) at += 8 + bytes.readUInt32BE(at);
    bytes[at + 20]! ^= 0x02;
    writeFileSync(join(dir, name!), bytes);

    const report = await checkDataDir(dataDir);
    expect(report.problems).toMatchObject([{ where: 'journal' }]);
    await expect(openLog({ dataDir })).rejects.toMatchObject({ code: 'CORRUPT_MESSAGE' });
    const repaired = await checkDataDir(dataDir, { repair: true });
    expect(repaired.unreadableFrames).toEqual([[10, 10]]);
    expect(repaired.lost).toMatchObject([{ topic: 'orders', partition: 0, from: 11, to: 20 }]);
    expect(await values(dataDir)).toEqual({ offsets: range(0, 10), highWatermark: 10 });
  });
});

/** LevelDB whose writes can be held back, as if the process died before LevelDB had them. */
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
