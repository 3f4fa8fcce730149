import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { openLog } from '../../src/log/index.ts';
import { batchKey, encodePartitionState, partitionStateKey } from '../../src/log/keys.ts';
import { LevelKvStore } from '../../src/log/storage/level.ts';

const root = mkdtempSync(join(tmpdir(), 'tributary-integrity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const enc = new TextEncoder();
let n = 0;

async function caught(promise: Promise<unknown>): Promise<TributaryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return err as TributaryError;
  }
  throw new Error('expected an error');
}

/** A closed log with `batches` batches of 10 records on orders-0; returns its directory and topic id. */
async function closedLog(
  batches: number,
  configs?: Record<string, string>,
): Promise<{ dataDir: string; topicId: number }> {
  const dataDir = join(root, `log-${n++}`);
  const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
  const { topicId } = await log.createTopic({ topic: 'orders', configs });
  for (let b = 0; b < batches; b++) {
    await log.append(
      'orders',
      0,
      Array.from({ length: 10 }, (_, i) => ({ key: enc.encode(`k${b}-${i}`), value: enc.encode(`v${b * 10 + i}`) })),
    );
  }
  await log.close();
  return { dataDir, topicId };
}

async function edit(dataDir: string, change: (store: LevelKvStore) => Promise<void>): Promise<void> {
  const store = new LevelKvStore(dataDir, { createIfMissing: false });
  await store.open();
  try {
    await change(store);
  } finally {
    await store.close();
  }
}

describe('partition state integrity', () => {
  it('should refuse to open when one bit of a partition state is flipped, naming the partition', async () => {
    const { dataDir, topicId } = await closedLog(3);
    await edit(dataDir, async (store) => {
      const key = partitionStateKey(topicId, 0);
      const bytes = Uint8Array.from((await store.get(key))!);
      bytes[15]! ^= 0x04; // the low byte of the next offset: 30 → 26
      await store.write([{ type: 'put', key, value: bytes }], true);
    });
    const err = await caught(openLog({ dataDir }));
    expect(err.code).toBe('CORRUPT_MESSAGE');
    expect(err.context).toMatchObject({ topic: 'orders', partition: 0 });
  });

  it('should refuse to open when a well-formed state disagrees with the last batch', async () => {
    const { dataDir, topicId } = await closedLog(3);
    await edit(dataDir, async (store) => {
      const state = { logStartOffset: 0, nextOffset: 20, sizeBytes: 0, cleanedUpTo: 0, dirtyBytes: 0 };
      await store.write(
        [{ type: 'put', key: partitionStateKey(topicId, 0), value: encodePartitionState(state) }],
        true,
      );
    });
    const err = await caught(openLog({ dataDir }));
    expect(err.code).toBe('CORRUPT_MESSAGE');
    expect(err.context).toMatchObject({ topic: 'orders', partition: 0, offset: 30, nextOffset: 20 });
  });
});

describe('offset gaps', () => {
  it('should raise CORRUPT_MESSAGE naming the range when a batch is missing from a never-compacted partition', async () => {
    const { dataDir, topicId } = await closedLog(5);
    await edit(dataDir, (store) => store.write([{ type: 'del', key: batchKey(topicId, 0, 20) }], true));
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      expect((await log.read('orders', 0, 0, { maxRecords: 20 })).records).toHaveLength(20);
      for (const from of [0, 15, 20, 25]) {
        const err = await caught(log.read('orders', 0, from));
        expect(err.code).toBe('CORRUPT_MESSAGE');
        expect(err.context).toMatchObject({ topic: 'orders', partition: 0, range: [Math.max(from, 20), 30] });
      }
      expect((await caught(log.readBatches('orders', 0, 20))).code).toBe('CORRUPT_MESSAGE');
      // Past the hole the partition reads as before.
      expect((await log.read('orders', 0, 30)).records.map((r) => r.offset)).toEqual(
        Array.from({ length: 20 }, (_, i) => 30 + i),
      );
    } finally {
      await log.close();
    }
  });

  it('should raise CORRUPT_MESSAGE when a read starts in a hole, instead of jumping past it', async () => {
    const { dataDir, topicId } = await closedLog(3);
    await edit(dataDir, (store) => store.write([{ type: 'del', key: batchKey(topicId, 0, 10) }], true));
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      const err = await caught(log.read('orders', 0, 10));
      expect(err.context).toMatchObject({ range: [10, 20] });
    } finally {
      await log.close();
    }
  });

  it('should still skip the gaps that compaction and deleteRecords leave', async () => {
    const dataDir = join(root, `log-${n++}`);
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      await log.createTopic({ topic: 'c', configs: { 'cleanup.policy': 'compact' } });
      for (let b = 0; b < 4; b++) await log.append('c', 0, [{ key: enc.encode('same'), value: enc.encode(`v${b}`) }]);
      await log.append('c', 0, [{ key: enc.encode('other'), value: enc.encode('x') }]);
      await log.compact('c', 0);
      const read = await log.read('c', 0, 0);
      expect(read.records.map((r) => r.offset)).toEqual([3, 4]);
      await log.createTopic({ topic: 'd' });
      for (let b = 0; b < 3; b++) await log.append('d', 0, [{ key: null, value: enc.encode(`v${b}`) }]);
      await log.deleteRecords('d', 0, 2);
      expect((await log.read('d', 0, 2)).records.map((r) => r.offset)).toEqual([2]);
    } finally {
      await log.close();
    }
  });
});
