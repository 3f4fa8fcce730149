/**
 * A full disk, simulated by fault injection at the storage layer: LevelDB's write method fails as
 * it does on ENOSPC (an IO error carrying the system's message). A real small tmpfs needs root.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { EmbeddedLog } from '../../src/log/engine.ts';
import { openLog } from '../../src/log/index.ts';
import { RECOVERY_CHUNK_BYTES } from '../../src/log/recovery.ts';
import type { KvOp, KvStore } from '../../src/log/storage/kv.ts';
import { LevelKvStore } from '../../src/log/storage/level.ts';
import { JOURNAL_MAX_LAG_BYTES } from '../../src/log/write-queue.ts';

const root = mkdtempSync(join(tmpdir(), 'tributary-full-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const dir = () => join(root, `d${n++}`);
const enc = new TextEncoder();
const dec = new TextDecoder();

type Batch = (ops: unknown, options: unknown) => Promise<void>;
const proto = ClassicLevel.prototype as unknown as { _batch: Batch };
const realBatch = proto._batch;
let diskFull = false;
proto._batch = function (this: unknown, ops: unknown, options: unknown) {
  if (diskFull) {
    return Promise.reject(
      Object.assign(new Error('IO error: /data/000005.log: No space left on device'), { code: 'LEVEL_IO_ERROR' }),
    );
  }
  return realBatch.call(this, ops, options);
};
afterEach(() => {
  diskFull = false;
});
afterAll(() => {
  proto._batch = realBatch;
});

async function caught(promise: Promise<unknown>): Promise<TributaryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return err as TributaryError;
  }
  throw new Error('expected an error');
}

describe('a full disk', () => {
  it('should name ENOSPC in a TributaryError with LevelDB as the cause, stop writes, and keep serving reads', async () => {
    const dataDir = dir();
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 't' });
    for (let i = 0; i < 300; i++) await log.append('t', 0, [{ key: null, value: enc.encode(`v${i}`) }], { sync: true });
    diskFull = true;
    const err = await caught(log.append('t', 0, [{ key: null, value: enc.encode('lost') }], { sync: true }));
    expect(err.code).toBe('STORAGE_ERROR');
    expect(err.message).toContain('ENOSPC');
    expect((err.cause as { code?: string }).code).toBe('LEVEL_IO_ERROR');
    const next = await caught(log.append('t', 0, [{ key: null, value: enc.encode('later') }]));
    expect(next.code).toBe('STORAGE_ERROR');
    expect(next.message).toContain('ENOSPC');
    expect((await caught(log.createTopic({ topic: 'u' }))).code).toBe('STORAGE_ERROR');
    // Reads go on: the store's batches and the in-memory tail.
    let offset = 0;
    const values: string[] = [];
    while (offset < log.offsets('t', 0).highWatermark) {
      const read = await log.read('t', 0, offset);
      for (const r of read.records) values.push(dec.decode(r.value!));
      offset = read.nextOffset;
    }
    expect(values).toEqual(Array.from({ length: 300 }, (_, i) => `v${i}`));
    expect(await log.listTopics()).toEqual(['t']);
    await log.close();
    diskFull = false;
    const reopened = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      expect(reopened.offsets('t', 0).highWatermark).toBe(300);
      expect((await reopened.append('t', 0, [{ key: null, value: enc.encode('after') }])).baseOffset).toBe(300);
    } finally {
      await reopened.close();
    }
  });

  it('should keep journaled records that LevelDB could not take, serve them, and apply them on the next open', async () => {
    const dataDir = dir();
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 't' });
    await log.append('t', 0, [{ key: null, value: enc.encode('before') }], { sync: true });
    diskFull = true;
    // Journaled: acknowledged before LevelDB's write fails behind it.
    await log.append('t', 0, [{ key: null, value: enc.encode('journaled') }]);
    await log.flush().catch(() => undefined);
    expect((await log.read('t', 0, 0)).records.map((r) => dec.decode(r.value!))).toEqual(['before', 'journaled']);
    await log.close();
    expect(readdirSync(dataDir)).toContain('journal');
    diskFull = false;
    const reopened = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      expect((await reopened.read('t', 0, 0)).records.map((r) => dec.decode(r.value!))).toEqual([
        'before',
        'journaled',
      ]);
    } finally {
      await reopened.close();
    }
  });
});

/** LevelDB whose writes can be held back (the process "dies" before LevelDB has them), counting writes. */
class HeldStore implements KvStore {
  readonly inner: LevelKvStore;
  held = false;
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
    if (this.held) return new Promise(() => undefined);
    this.writes++;
    return this.inner.write(ops, sync);
  }
}

const settledNow = async (promise: Promise<unknown>) => {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
};

describe('the journal while LevelDB lags', () => {
  it('should stop answering from the journal once it is JOURNAL_MAX_LAG_BYTES ahead, and recover it in bounded chunks', async () => {
    const dataDir = dir();
    const store = new HeldStore(dataDir);
    const log = await EmbeddedLog.open(store, { maintenanceIntervalMs: 0, journalDir: join(dataDir, 'journal') });
    await log.createTopic({ topic: 't' });
    store.held = true;
    const value = new Uint8Array(60 * 1024).fill(7);
    let acknowledged = 0;
    for (;;) {
      const append = log.append('t', 0, [{ key: enc.encode(`k${acknowledged}`), value }]);
      if (!(await settledNow(append))) break;
      acknowledged++;
      if (acknowledged > 2000) throw new Error('the journal never pushed back');
    }
    const journalBytes = readdirSync(join(dataDir, 'journal')).reduce(
      (sum, f) => sum + statSync(join(dataDir, 'journal', f)).size,
      0,
    );
    expect(journalBytes).toBeLessThanOrEqual(JOURNAL_MAX_LAG_BYTES);
    expect(journalBytes).toBeGreaterThan(JOURNAL_MAX_LAG_BYTES - 2 * 65536);
    await store.inner.close();

    // Recovery writes in chunks, not all the journal at once.
    const recovering = new HeldStore(dataDir);
    const reopened = await EmbeddedLog.open(recovering, {
      maintenanceIntervalMs: 0,
      journalDir: join(dataDir, 'journal'),
    });
    try {
      expect(recovering.writes).toBeGreaterThanOrEqual(Math.floor(journalBytes / RECOVERY_CHUNK_BYTES));
      expect(reopened.offsets('t', 0).highWatermark).toBe(acknowledged);
      const last = await reopened.read('t', 0, acknowledged - 1);
      expect(dec.decode(last.records[0]!.key!)).toBe(`k${acknowledged - 1}`);
    } finally {
      await reopened.close();
    }
  });
});
