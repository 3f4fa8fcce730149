import type { KvEntry, KvIterator, KvOp, KvRange, KvStore } from './kv.ts';
import { compareBytes } from './kv.ts';
import { copyInSlices, LARGE_COPY_BYTES, TimeSlice } from '../../time-slice.ts';

/**
 * A sorted array of entries. Appends land at the end, where the log writes, so inserts are cheap;
 * it is meant for tests and the test driver, not for large logs.
 */
export class MemoryKvStore implements KvStore {
  #keys: Uint8Array[] = [];
  #values: Uint8Array[] = [];

  async open(): Promise<void> {}

  async close(): Promise<void> {}

  /** The first index whose key is ≥ `key` (or > with `strict`). */
  #lowerBound(key: Uint8Array, strict: boolean): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareBytes(this.#keys[mid]!, key);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const i = this.#lowerBound(key, false);
    return i < this.#keys.length && compareBytes(this.#keys[i]!, key) === 0 ? this.#values[i] : undefined;
  }

  async write(ops: KvOp[]): Promise<void> {
    // Copies, so a caller reusing its buffers cannot change what is stored: made first (a large
    // value in slices), then every op is applied at once, so a reader sees all of them or none.
    const slice = new TimeSlice();
    const values: Uint8Array[] = [];
    for (const op of ops) {
      if (op.type !== 'put') continue;
      values.push(op.value.length > LARGE_COPY_BYTES ? await copyInSlices(op.value, slice) : new Uint8Array(op.value));
    }
    let next = 0;
    for (const op of ops) {
      const i = this.#lowerBound(op.key, false);
      const found = i < this.#keys.length && compareBytes(this.#keys[i]!, op.key) === 0;
      if (op.type === 'put') {
        const key = new Uint8Array(op.key);
        const value = values[next++]!;
        if (found) this.#values[i] = value;
        else {
          this.#keys.splice(i, 0, key);
          this.#values.splice(i, 0, value);
        }
      } else if (found) {
        this.#keys.splice(i, 1);
        this.#values.splice(i, 1);
      }
    }
  }

  /** [start, end) indexes of the range, ascending. */
  #bounds(range: KvRange): [number, number] {
    const start =
      range.gt !== undefined
        ? this.#lowerBound(range.gt, true)
        : range.gte !== undefined
          ? this.#lowerBound(range.gte, false)
          : 0;
    const end =
      range.lt !== undefined
        ? this.#lowerBound(range.lt, false)
        : range.lte !== undefined
          ? this.#lowerBound(range.lte, true)
          : this.#keys.length;
    return [start, Math.max(start, end)];
  }

  iterator(range: KvRange): KvIterator {
    // A snapshot, as LevelDB's iterators read one: later writes do not show.
    const [start, end] = this.#bounds(range);
    const keys = this.#keys.slice(start, end);
    const values = this.#values.slice(start, end);
    if (range.reverse) {
      keys.reverse();
      values.reverse();
    }
    const limit = range.limit !== undefined && range.limit >= 0 ? Math.min(range.limit, keys.length) : keys.length;
    let pos = 0;
    return {
      nextv: async (size) => {
        const out: KvEntry[] = [];
        while (pos < limit && out.length < size) {
          out.push([keys[pos]!, values[pos]!]);
          pos++;
        }
        return out;
      },
      close: async () => {},
    };
  }

  async clear(range: KvRange): Promise<void> {
    const [start, end] = this.#bounds(range);
    this.#keys.splice(start, end - start);
    this.#values.splice(start, end - start);
  }
}
