import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LARGE_WRITE_OPS, LevelKvStore } from '../../../src/log/storage/level.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trib-level-'));
  dirs.push(dir);
  return dir;
}

const k = (s: string) => new TextEncoder().encode(s);

describe('LevelKvStore writes', () => {
  it('should write puts and deletes atomically and read them back', async () => {
    const store = new LevelKvStore(freshDir());
    await store.open();
    await store.write(
      [
        { type: 'put', key: k('a'), value: k('1') },
        { type: 'put', key: k('b'), value: k('2') },
      ],
      false,
    );
    await store.write(
      [
        { type: 'del', key: k('a') },
        { type: 'put', key: k('c'), value: k('3') },
      ],
      true,
    );
    expect(await store.get(k('a'))).toBeUndefined();
    expect(Buffer.from((await store.get(k('b')))!).toString()).toBe('2');
    expect(Buffer.from((await store.get(k('c')))!).toString()).toBe('3');
    await store.close();
  });

  it('should finish a write in flight when closed, and refuse one after with an error instead of crashing', async () => {
    const dir = freshDir();
    const store = new LevelKvStore(dir);
    await store.open();
    const inFlight = store.write([{ type: 'put', key: k('x'), value: new Uint8Array(1 << 20) }], true);
    const closed = store.close();
    await inFlight;
    await closed;
    await expect(store.write([{ type: 'put', key: k('y'), value: k('1') }], false)).rejects.toMatchObject({
      code: 'LOG_CLOSED',
      cause: { code: 'LEVEL_DATABASE_NOT_OPEN' },
    });
    const again = new LevelKvStore(dir);
    await again.open();
    expect((await again.get(k('x')))?.length).toBe(1 << 20);
    await again.close();
  });

  it('should write a large batch (filled in slices) whole, and refuse one once closed', async () => {
    const dir = freshDir();
    const store = new LevelKvStore(dir);
    await store.open();
    await store.write([{ type: 'put', key: k('gone'), value: k('1') }], false);
    const count = LARGE_WRITE_OPS * 4;
    const ops = Array.from({ length: count }, (_, i) => ({
      type: 'put' as const,
      key: k(`key-${String(i).padStart(6, '0')}`),
      value: k(String(i)),
    }));
    await store.write([...ops, { type: 'del', key: k('gone') }], true);
    expect(await store.get(k('gone'))).toBeUndefined();
    const it = store.iterator({ gte: k('key-'), lt: k('key.') });
    const read: [Uint8Array, Uint8Array][] = [];
    for (let entries = await it.nextv(1000); entries.length > 0; entries = await it.nextv(1000)) read.push(...entries);
    await it.close();
    expect(read.map(([, v]) => Number(Buffer.from(v).toString()))).toEqual(ops.map((_, i) => i));
    await store.close();
    await expect(store.write(ops, false)).rejects.toMatchObject({ code: 'LOG_CLOSED' });
  });
});

describe('LevelKvStore reads', () => {
  it('should gather entries up to highWaterMarkBytes in one nextv, and one large entry per call without it', async () => {
    const store = new LevelKvStore(freshDir());
    await store.open();
    const value = new Uint8Array(64 * 1024).fill(7);
    await store.write(
      Array.from({ length: 5 }, (_, i) => ({ type: 'put' as const, key: k(`big-${i}`), value })),
      false,
    );
    const counts = async (range: { highWaterMarkBytes?: number }) => {
      const it = store.iterator({ gte: k('big-'), lt: k('big.'), ...range });
      const sizes: number[] = [];
      for (let entries = await it.nextv(10); entries.length > 0; entries = await it.nextv(10))
        sizes.push(entries.length);
      await it.close();
      return sizes;
    };
    // LevelDB's iterator stops once it holds more than 16 KiB.
    expect(await counts({})).toEqual([1, 1, 1, 1, 1]);
    expect(await counts({ highWaterMarkBytes: 1 << 20 })).toEqual([5]);
    // It stops past the mark, with the entry that crossed it.
    expect(await counts({ highWaterMarkBytes: 100 * 1024 })).toEqual([2, 2, 1]);
    await store.close();
  });
});
