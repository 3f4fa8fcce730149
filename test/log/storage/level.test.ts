import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelKvStore } from '../../../src/log/storage/level.ts';

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
});
