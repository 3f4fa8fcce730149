import { describe, expect, it } from 'vitest';
import type { KvOp, KvStore } from '../../src/log/storage/kv.ts';
import { MemoryKvStore } from '../../src/log/storage/memory.ts';
import { WriteQueue } from '../../src/log/write-queue.ts';

/** A store whose writes wait until `release()`: each write queued to LevelDB, still on its way. */
class GatedStore extends MemoryKvStore implements KvStore {
  readonly #gates: (() => void)[] = [];

  override async write(ops: KvOp[]): Promise<void> {
    await new Promise<void>((resolve) => this.#gates.push(resolve));
    return super.write(ops);
  }

  /** Lets the oldest held write through. */
  release(): void {
    this.#gates.shift()?.();
  }
}

const put = (key: string): KvOp => ({ type: 'put', key: Buffer.from(key), value: Buffer.from('v') });
const settled = async (p: Promise<void> | undefined) => {
  if (p === undefined) return true;
  let done = false;
  void p.then(() => {
    done = true;
  });
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
};

describe('WriteQueue.flushFor', () => {
  it("should let a reader of one partition through while another partition's write is on its way", async () => {
    const store = new GatedStore();
    await store.open();
    const queue = new WriteQueue<string>(store);
    void queue.enqueue([put('a')], false, ['a']);
    const a = queue.queued;
    void queue.enqueue([put('b')], false, ['b']);
    const b = queue.queued;
    // A partition written before both (number 0) waits for neither.
    expect(queue.flushFor(0)).toBeUndefined();
    const forA = queue.flushFor(a);
    const forB = queue.flushFor(b);
    expect(await settled(forA)).toBe(false);
    store.release();
    expect(await settled(forA)).toBe(true);
    expect(await settled(forB)).toBe(false);
    store.release();
    expect(await settled(forB)).toBe(true);
    expect(queue.flushFor(b)).toBeUndefined();
  });

  it('should hold every reader for a write that marks no partition (a delete, a marker)', async () => {
    const store = new GatedStore();
    await store.open();
    const queue = new WriteQueue<string>(store);
    void queue.enqueue([put('a')], false, ['a']);
    void queue.enqueue([put('any')], false);
    const reader = queue.flushFor(0);
    expect(await settled(reader)).toBe(false);
    store.release();
    expect(await settled(reader)).toBe(false);
    store.release();
    expect(await settled(reader)).toBe(true);
  });
});
