import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../../src/log/engine.ts';
import { openLog } from '../../../src/log/index.ts';
import { Journal } from '../../../src/log/storage/journal.ts';
import type { KvOp, KvStore } from '../../../src/log/storage/kv.ts';
import { LevelKvStore } from '../../../src/log/storage/level.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trib-journal-'));
  dirs.push(dir);
  return dir;
}

const k = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

/**
 * LevelDB whose writes can be held back: `hold()` makes every later write wait forever, as if the
 * process died before LevelDB had them. The engine has no way to tell.
 */
class HeldStore implements KvStore {
  readonly inner: LevelKvStore;
  held = false;
  writesHeld = 0;
  constructor(location: string) {
    this.inner = new LevelKvStore(location);
  }
  open = () => this.inner.open();
  close = () => this.inner.close();
  get = (key: Uint8Array) => this.inner.get(key);
  iterator: KvStore['iterator'] = (range) => this.inner.iterator(range);
  clear: KvStore['clear'] = (range) => this.inner.clear(range);
  write(ops: KvOp[], sync: boolean): Promise<void> {
    if (!this.held) return this.inner.write(ops, sync);
    this.writesHeld++;
    return new Promise(() => undefined);
  }
}

describe('Journal frames', () => {
  const ops = (n: number): KvOp[] => [
    { type: 'put', key: k(`key-${n}`), value: k(`value-${n}`) },
    { type: 'del', key: k(`gone-${n}`) },
  ];

  it('should read back what it wrote, in order, with puts and deletes', () => {
    const dir = join(freshDir(), 'journal');
    const journal = Journal.create(dir, 7);
    expect(journal.append(ops(1))).toBe(7);
    expect(journal.append(ops(2))).toBe(8);
    const frames = Journal.read(dir);
    expect(frames.map((f) => f.seq)).toEqual([7, 8]);
    expect(frames[1]!.ops.map((op) => [op.type, text(op.key), op.type === 'put' ? text(op.value) : null])).toEqual([
      ['put', 'key-2', 'value-2'],
      ['del', 'gone-2', null],
    ]);
  });

  it('should end at a torn last frame and at a damaged one, keeping the frames before it', () => {
    const dir = join(freshDir(), 'journal');
    const journal = Journal.create(dir, 0);
    for (let i = 0; i < 3; i++) journal.append(ops(i));
    const [name] = readdirSync(dir);
    const file = join(dir, name!);
    // A crash in the middle of a write leaves part of a frame.
    appendFileSync(file, Buffer.from([0, 0, 0, 40, 1, 2, 3]));
    expect(Journal.read(dir).map((f) => f.seq)).toEqual([0, 1, 2]);
    // A flipped byte in the second frame: the second and third are not trusted.
    const bytes = readFileSync(file);
    const second = Journal.frameBytes(ops(0));
    bytes[second + 20] = bytes[second + 20]! ^ 0xff;
    writeFileSync(file, bytes);
    expect(Journal.read(dir).map((f) => f.seq)).toEqual([0]);
  });

  it('should read nothing from a journal that does not exist', () => {
    expect(Journal.read(join(freshDir(), 'none'))).toEqual([]);
  });
});

describe('The journaled log', () => {
  it('should answer an unsynced append before LevelDB has it, and apply it on the next open after a crash', async () => {
    const dataDir = freshDir();
    const store = new HeldStore(dataDir);
    const log = await EmbeddedLog.open(store, { maintenanceIntervalMs: 0, journalDir: join(dataDir, 'journal') });
    await log.createTopic({ topic: 't', numPartitions: 2 });
    await log.append('t', 0, [{ key: k('a'), value: k('before') }]);
    await log.flush();
    store.held = true;
    // LevelDB never gets these: the process "dies" with them in the journal only.
    const first = await log.append('t', 0, [{ key: k('b'), value: k('one') }]);
    const second = await log.append('t', 1, [
      { key: k('c'), value: k('two') },
      { key: k('d'), value: k('three') },
    ]);
    expect(store.writesHeld).toBeGreaterThan(0);
    expect([first.baseOffset, second.baseOffset, second.lastOffset]).toEqual([1, 0, 1]);
    // Readers at the tail see them at once.
    expect(log.offsets('t', 0).highWatermark).toBe(2);
    expect((await log.read('t', 0, 1)).records.map((r) => text(r.value))).toEqual(['one']);
    // The crash: LevelDB closes without the held writes; the log object is abandoned.
    await store.inner.close();

    const reopened = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      expect(reopened.offsets('t', 0).highWatermark).toBe(2);
      expect(reopened.offsets('t', 1).highWatermark).toBe(2);
      expect((await reopened.read('t', 0, 0)).records.map((r) => text(r.value))).toEqual(['before', 'one']);
      expect((await reopened.read('t', 1, 0)).records.map((r) => text(r.value))).toEqual(['two', 'three']);
      // And it goes on from there.
      expect((await reopened.append('t', 0, [{ key: null, value: k('after') }])).baseOffset).toBe(2);
    } finally {
      await reopened.close();
    }
    expect(readdirSync(dataDir)).not.toContain('journal');
  });

  it('should not answer an unsynced append early while a synced one before it is still on its way', async () => {
    const dataDir = freshDir();
    const store = new HeldStore(dataDir);
    const log = await EmbeddedLog.open(store, { maintenanceIntervalMs: 0, journalDir: join(dataDir, 'journal') });
    await log.createTopic({ topic: 't' });
    store.held = true;
    let syncedDone = false;
    let laterDone = false;
    void log.append('t', 0, [{ key: null, value: k('synced') }], { sync: true }).then(() => (syncedDone = true));
    void log.append('t', 0, [{ key: null, value: k('later') }]).then(() => (laterDone = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Were the later one journaled, a crash now could keep it and lose the one before it.
    expect([syncedDone, laterDone]).toEqual([false, false]);
    expect(log.offsets('t', 0).highWatermark).toBe(0);
    await store.inner.close();

    const reopened = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      expect(reopened.offsets('t', 0).highWatermark).toBe(0);
    } finally {
      await reopened.close();
    }
  });

  it('should let store reads wait for journaled writes that LevelDB does not have yet', async () => {
    const dataDir = freshDir();
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      await log.createTopic({ topic: 't' });
      // Enough appends that the first ones leave the in-memory tail: reads of them go to LevelDB.
      const value = new Uint8Array(32 * 1024);
      const appends = [];
      for (let i = 0; i < 80; i++) appends.push(log.append('t', 0, [{ key: k(`k${i}`), value, timestamp: 1000 + i }]));
      await Promise.all(appends);
      expect(log.offsets('t', 0).highWatermark).toBe(80);
      let offset = 0;
      while (offset < 80) {
        const result = await log.read('t', 0, offset);
        for (const r of result.records) expect(text(r.key)).toBe(`k${r.offset}`);
        offset = result.nextOffset;
      }
      expect(await log.offsetForTimestamp('t', 0, 1079)).toBe(79);
    } finally {
      await log.close();
    }
  });
});
