import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../src/log/engine.ts';
import type { KvIterator, KvRange, KvStore } from '../../src/log/storage/kv.ts';
import { LevelKvStore } from '../../src/log/storage/level.ts';

/**
 * How the log reads stored batches from LevelDB: what it asks the store for, and when. A consumer
 * asks for its next read and then decodes the fetch it has for milliseconds; a read that waits for
 * this thread before it reaches the store only starts after that (see EmbeddedLog's #scan).
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A LevelDB store that records the range of every iterator made on it. */
class RecordingStore extends LevelKvStore {
  readonly ranges: KvRange[] = [];
  override iterator(range: KvRange): KvIterator {
    this.ranges.push(range);
    return super.iterator(range);
  }
}

/** A log with 20 stored batches of one 10 KiB record on `t`-0, reopened so that none is in its tail. */
async function storedLog(): Promise<{ log: EmbeddedLog; store: RecordingStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'trib-store-reads-'));
  dirs.push(dir);
  const writing = await EmbeddedLog.open(new LevelKvStore(dir) as KvStore, { maintenanceIntervalMs: 0 });
  await writing.createTopic({ topic: 't' });
  for (let i = 0; i < 20; i++) await writing.append('t', 0, [{ key: null, value: new Uint8Array(10_240).fill(i) }]);
  await writing.close();
  const store = new RecordingStore(dir);
  const log = await EmbeddedLog.open(store, { maintenanceIntervalMs: 0 });
  return { log, store };
}

describe('reading stored batches from the store', () => {
  it('should reach the store within the call, before this thread is next free', async () => {
    const { log, store } = await storedLog();
    const before = store.ranges.length;
    const read = log.readBatches('t', 0, 0, { maxBytes: 1 << 20 });
    expect(store.ranges.length).toBe(before + 1);
    expect((await read).map((b) => b.baseOffset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await log.close();
  });

  it("should ask the store to gather up to the read's maxBytes in one call", async () => {
    const { log, store } = await storedLog();
    const batches = await log.readBatches('t', 0, 5, { maxBytes: 50_000 });
    // Batches of ~10.3 KB: the one that crosses 50,000 bytes is the last.
    expect(batches.map((b) => b.baseOffset)).toEqual([5, 6, 7, 8, 9]);
    expect(store.ranges.at(-1)!.highWaterMarkBytes).toBe(50_000);
    await log.close();
  });
});
