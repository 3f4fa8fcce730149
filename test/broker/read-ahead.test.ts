import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReadAhead } from '../../src/broker/read-ahead.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';

let log: EmbeddedLogBackend;
let topicId: number;

const value = (n: number) => Buffer.alloc(n, 1);

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  topicId = (await log.createTopic({ topic: 't', numPartitions: 1 })).topicId;
  // Five batches of two records each: offsets 0-1, 2-3, … 8-9.
  for (let i = 0; i < 5; i++)
    await log.append('t', 0, [
      { key: null, value: value(100) },
      { key: null, value: value(100) },
    ]);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await log.close();
});

const key = (offset: number, isolation: 'read_committed' | 'read_uncommitted' = 'read_uncommitted') => ({
  topicId,
  topic: 't',
  partition: 0,
  offset,
  isolation,
});

describe('ReadAhead', () => {
  it('serves the range it read once, as a read of the log would', async () => {
    const ahead = new ReadAhead();
    ahead.start(log, key(4), 1 << 20);
    const taken = await ahead.take(log, key(4), 1 << 20);
    expect(taken?.map((b) => b.baseOffset)).toEqual([4, 6, 8]);
    expect(taken).toEqual(await log.readBatches('t', 0, 4, { maxBytes: 1 << 20 }));
    // Taken once: a second fetch of the same offset reads the log itself.
    expect(await ahead.take(log, key(4), 1 << 20)).toBeUndefined();
  });

  it('reads the log once for a range asked for twice before it is taken', async () => {
    const read = vi.spyOn(log, 'readBatches');
    const ahead = new ReadAhead();
    ahead.start(log, key(2), 1 << 20);
    ahead.start(log, key(2), 1 << 20);
    expect(read).toHaveBeenCalledTimes(1);
    expect((await ahead.take(log, key(2), 1 << 20))?.length).toBe(4);
  });

  it('trims to the fetch budget as the log does: at least one batch, stopping once the budget is reached', async () => {
    const ahead = new ReadAhead();
    const size = (await log.readBatches('t', 0, 0, { maxBytes: 1 }))[0]!.bytes.length;
    ahead.start(log, key(0), 1 << 20);
    expect((await ahead.take(log, key(0), 0))?.map((b) => b.baseOffset)).toEqual([0]);
    ahead.start(log, key(0), 1 << 20);
    expect((await ahead.take(log, key(0), size + 1))?.map((b) => b.baseOffset)).toEqual([0, 2]);
    ahead.start(log, key(0), 1 << 20);
    expect((await ahead.take(log, key(0), 2 * size))?.map((b) => b.baseOffset)).toEqual([0, 2]);
  });

  it('matches offset, isolation and topic id exactly', async () => {
    const ahead = new ReadAhead();
    ahead.start(log, key(2), 1 << 20);
    expect(await ahead.take(log, key(3), 1 << 20)).toBeUndefined();
    expect(await ahead.take(log, key(2, 'read_committed'), 1 << 20)).toBeUndefined();
    expect(await ahead.take(log, { ...key(2), topicId: topicId + 1 }, 1 << 20)).toBeUndefined();
    expect(await ahead.take(log, key(2), 1 << 20)).toBeDefined();
  });

  it('never serves a topic created again under the same name the old one’s batches', async () => {
    const ahead = new ReadAhead();
    ahead.start(log, key(0), 1 << 20);
    await log.deleteTopic('t');
    const again = (await log.createTopic({ topic: 't', numPartitions: 1 })).topicId;
    expect(again).not.toBe(topicId);
    await log.append('t', 0, [{ key: null, value: value(7) }]);
    expect(await ahead.take(log, { ...key(0), topicId: again }, 1 << 20)).toBeUndefined();
  });

  it('drops what DeleteRecords removed while it was held', async () => {
    const ahead = new ReadAhead();
    ahead.start(log, key(2), 1 << 20);
    await log.deleteRecords('t', 0, 6);
    expect(await ahead.take(log, key(2), 1 << 20)).toBeUndefined();
  });

  it('keeps nothing for a read that fails', async () => {
    const ahead = new ReadAhead();
    ahead.start(log, key(11), 1 << 20);
    expect(await ahead.take(log, key(11), 1 << 20)).toBeUndefined();
  });

  it('holds a bounded number of entries, dropping the oldest first', async () => {
    const read = vi.spyOn(log, 'readBatches');
    const ahead = new ReadAhead();
    for (let i = 0; i < 300; i++) ahead.start(log, { ...key(i % 10), partition: 0, topicId: 1000 + i }, 1);
    expect(read).toHaveBeenCalledTimes(300);
    // The first 44 were dropped to keep 256.
    expect(await ahead.take(log, { ...key(0), topicId: 1000 }, 1)).toBeUndefined();
    expect(await ahead.take(log, { ...key(9), topicId: 1299 }, 1)).toBeDefined();
    await ahead.clear();
  });

  it('holds at most 64 MiB of budgets', async () => {
    const ahead = new ReadAhead();
    ahead.start(log, key(0), 40 << 20);
    ahead.start(log, key(2), 40 << 20);
    expect(await ahead.take(log, key(0), 1 << 20)).toBeUndefined();
    expect(await ahead.take(log, key(2), 1 << 20)).toBeDefined();
  });

  it('reads the range after the one asked for once that one is read, and stops at the high watermark', async () => {
    const read = vi.spyOn(log, 'readBatches');
    const ahead = new ReadAhead();
    const size = (await log.readBatches('t', 0, 0, { maxBytes: 1 }))[0]!.bytes.length;
    read.mockClear();
    // Two batches a range: 0-3 is asked for, 4-7 follows on its own, 8-9 once a fetch asks for 4.
    ahead.start(log, key(0), 2 * size);
    expect((await ahead.take(log, key(0), 2 * size))?.map((b) => b.baseOffset)).toEqual([0, 2]);
    await vi.waitFor(() => expect(read).toHaveBeenCalledTimes(2));
    ahead.start(log, key(4), 2 * size);
    expect((await ahead.take(log, key(4), 2 * size))?.map((b) => b.baseOffset)).toEqual([4, 6]);
    await vi.waitFor(() => expect(read).toHaveBeenCalledTimes(3));
    ahead.start(log, key(8), 2 * size);
    expect((await ahead.take(log, key(8), 2 * size))?.map((b) => b.baseOffset)).toEqual([8]);
    // Nothing past the high watermark is read.
    await ahead.clear();
    expect(read).toHaveBeenCalledTimes(3);
    expect(read.mock.calls.map((c) => c[2])).toEqual([0, 4, 8]);
  });
});
