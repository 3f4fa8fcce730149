import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.ts';
import { EmbeddedLog } from '../../../src/log/engine.ts';
import { openLog } from '../../../src/log/index.ts';
import { Journal } from '../../../src/log/storage/journal.ts';
import type { KvOp, KvStore } from '../../../src/log/storage/kv.ts';
import { LevelKvStore } from '../../../src/log/storage/level.ts';
import { JOURNAL_GROUP_MS } from '../../../src/log/write-queue.ts';

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
  /** Every write LevelDB was asked for, held or not. */
  writes = 0;
  constructor(location: string) {
    this.inner = new LevelKvStore(location);
  }
  open = () => this.inner.open();
  close = () => this.inner.close();
  get = (key: Uint8Array) => this.inner.get(key);
  iterator: KvStore['iterator'] = (range) => this.inner.iterator(range);
  clear: KvStore['clear'] = (range) => this.inner.clear(range);
  write(ops: KvOp[], sync: boolean): Promise<void> {
    this.writes++;
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
    const { frames } = Journal.read(dir);
    expect(frames.map((f) => f.seq)).toEqual([7, 8]);
    expect(frames[1]!.ops.map((op) => [op.type, text(op.key), op.type === 'put' ? text(op.value) : null])).toEqual([
      ['put', 'key-2', 'value-2'],
      ['del', 'gone-2', null],
    ]);
  });

  it('should end quietly at a torn last frame, and report a damaged one with intact frames after it', () => {
    const dir = join(freshDir(), 'journal');
    const journal = Journal.create(dir, 0);
    for (let i = 0; i < 3; i++) journal.append(ops(i));
    const [name] = readdirSync(dir);
    const file = join(dir, name!);
    // A crash in the middle of a write leaves part of a frame.
    appendFileSync(file, Buffer.from([0, 0, 0, 40, 1, 2, 3]));
    expect(Journal.read(dir)).toMatchObject({ damage: [] });
    expect(Journal.read(dir).frames.map((f) => f.seq)).toEqual([0, 1, 2]);
    // A flipped byte in the second frame: it is lost, the third is still read, and the hole is reported.
    const bytes = readFileSync(file);
    const second = Journal.frameBytes(ops(0));
    bytes[second + 20] = bytes[second + 20]! ^ 0xff;
    writeFileSync(file, bytes);
    const scan = Journal.read(dir);
    expect(scan.frames.map((f) => f.seq)).toEqual([0, 2]);
    expect(scan.damage).toEqual([{ file: name, at: second, afterSeq: 0, beforeSeq: 2 }]);
  });

  it('should read nothing from a journal that does not exist', () => {
    expect(Journal.read(join(freshDir(), 'none'))).toEqual({ frames: [], damage: [] });
  });
});

/** A log whose last `unapplied` appends (of 20) are only in the journal, as after a crash; returns its directory. */
async function crashedWithJournal(unapplied: number): Promise<string> {
  const dataDir = freshDir();
  const store = new HeldStore(dataDir);
  const log = await EmbeddedLog.open(store, { maintenanceIntervalMs: 0, journalDir: join(dataDir, 'journal') });
  await log.createTopic({ topic: 't' });
  for (let i = 0; i < 20; i++) {
    if (i === 20 - unapplied) {
      await log.flush();
      store.held = true;
    }
    await log.append('t', 0, [{ key: k(`k${i}`), value: k(`v${i}`) }]);
  }
  await store.inner.close();
  return dataDir;
}

/** Flips a byte in the middle of the `index`th frame of the only journal file. */
function flipFrame(dataDir: string, index: number): void {
  const dir = join(dataDir, 'journal');
  const [name] = readdirSync(dir);
  const bytes = readFileSync(join(dir, name!));
  let at = 0;
  for (let i = 0; i < index; i++) at += 8 + bytes.readUInt32BE(at);
  bytes[at + 20] = bytes[at + 20]! ^ 0x10;
  writeFileSync(join(dir, name!), bytes);
}

describe('A damaged journal', () => {
  it('should refuse to open with CORRUPT_MESSAGE naming the file when an unapplied frame in the middle is damaged', async () => {
    const dataDir = await crashedWithJournal(10);
    // Frames 10 to 19 are the unapplied appends.
    flipFrame(dataDir, 14);
    const err = await openLog({ dataDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'CORRUPT_MESSAGE' });
    expect((err as Error).message).toContain('.journal');
    // Nothing was applied or deleted: the next open (or trib doctor) sees the same journal.
    expect(readdirSync(join(dataDir, 'journal'))).toHaveLength(1);
  });

  it('should open with every record when the damaged frame was applied already', async () => {
    const dataDir = await crashedWithJournal(10);
    // The journal's frames: createTopic is not journaled (sync); the first appends are, and were applied.
    flipFrame(dataDir, 2);
    const log = await openLog({ dataDir });
    try {
      expect((await log.read('t', 0, 0)).records.map((r) => text(r.value))).toEqual(
        Array.from({ length: 20 }, (_, i) => `v${i}`),
      );
    } finally {
      await log.close();
    }
  });

  it('should open with everything before a torn last frame', async () => {
    const dataDir = await crashedWithJournal(5);
    const dir = join(dataDir, 'journal');
    const [name] = readdirSync(dir);
    const bytes = readFileSync(join(dir, name!));
    writeFileSync(join(dir, name!), bytes.subarray(0, bytes.length - 7));
    const log = await openLog({ dataDir });
    try {
      expect(log.offsets('t', 0).highWatermark).toBe(19);
    } finally {
      await log.close();
    }
  });
});

describe('The journaled log', () => {
  it('should answer an unsynced append before LevelDB has it, and apply it on the next open after a crash', async () => {
    const dataDir = freshDir();
    const store = new HeldStore(dataDir);
    const clock = new ManualClock(1_000_000);
    const log = await EmbeddedLog.open(store, {
      maintenanceIntervalMs: 0,
      journalDir: join(dataDir, 'journal'),
      clock,
    });
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
    // Answered before LevelDB was even asked; it gets both as one write once the group is due.
    expect(store.writesHeld).toBe(0);
    clock.advance(JOURNAL_GROUP_MS - 1);
    expect(store.writesHeld).toBe(0);
    clock.advance(1);
    expect(store.writesHeld).toBe(1);
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

  it('should give LevelDB the journaled writes waiting for their group at once when flushed or followed by a synced write', async () => {
    const dataDir = freshDir();
    const store = new HeldStore(dataDir);
    const clock = new ManualClock(1_000_000);
    const log = await EmbeddedLog.open(store, {
      maintenanceIntervalMs: 0,
      journalDir: join(dataDir, 'journal'),
      clock,
    });
    try {
      await log.createTopic({ topic: 't' });
      const before = store.writes;
      await log.append('t', 0, [{ key: null, value: k('one') }]);
      await log.append('t', 0, [{ key: null, value: k('two') }]);
      expect(store.writes).toBe(before);
      // The clock never moves: flush does not wait for the group's time.
      await log.flush();
      expect(store.writes).toBe(before + 1);
      await log.append('t', 0, [{ key: null, value: k('three') }]);
      // A synced write goes behind it in the same store write, at once.
      await log.append('t', 0, [{ key: null, value: k('four') }], { sync: true });
      expect(store.writes).toBe(before + 2);
    } finally {
      await log.close();
    }
    const reopened = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      expect((await reopened.read('t', 0, 0)).records.map((r) => text(r.value))).toEqual([
        'one',
        'two',
        'three',
        'four',
      ]);
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
