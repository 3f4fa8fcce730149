/**
 * Long loops in slices: work that grows with the number of partitions (10,000 of them) or with the
 * size of a record (32 MB) yields to the event loop every few milliseconds, so timers, heartbeats and
 * sockets of the same process keep running. A slice is measured on the real monotonic clock, not on
 * the injectable {@link Clock}: it bounds how long the thread is busy, and a test's manual clock
 * does not move while code runs.
 *
 * @example
 * const slice = new TimeSlice();
 * for (const partition of partitions) {
 *   await slice.pause();
 *   start(partition);
 * }
 */

/** How long a slice runs before it yields, in milliseconds: short enough that a collection landing in the same run (10–20 ms for a scavenge after 10,000 partitions' objects were made) still leaves it well under 50 ms. */
export const SLICE_MS = 5;

/** Resolves on the event loop's next check phase, after pending I/O and timers had their turn. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Counts the time a loop has run since it last yielded. */
export class TimeSlice {
  #since = performance.now();
  readonly #budgetMs: number;

  constructor(budgetMs = SLICE_MS) {
    this.#budgetMs = budgetMs;
  }

  /** True once the slice's budget is spent: the caller should {@link pause} before going on. */
  get due(): boolean {
    return performance.now() - this.#since >= this.#budgetMs;
  }

  /**
   * Yields to the event loop when the budget is spent (and starts a new slice), else resolves at
   * once. `await slice.pause()` costs a microtask turn; hot loops check {@link due} first.
   */
  async pause(): Promise<void> {
    if (!this.due) return;
    await nextTurn();
    this.#since = performance.now();
  }
}

/** Bytes copied between two checks of a slice's budget (a few milliseconds of memcpy and page faults). */
export const LARGE_COPY_BYTES = 4 << 20;

/** A copy of `bytes`; past a few MiB, made in chunks that yield when `slice`'s budget is spent. */
export async function copyInSlices(bytes: Uint8Array, slice: TimeSlice = new TimeSlice()): Promise<Uint8Array> {
  // Not bytes.slice(): on a Buffer that is a view of the same memory.
  if (bytes.length <= LARGE_COPY_BYTES) return new Uint8Array(bytes);
  const copy = new Uint8Array(bytes.length);
  for (let from = 0; from < bytes.length; from += LARGE_COPY_BYTES) {
    if (slice.due) await slice.pause();
    copy.set(bytes.subarray(from, from + LARGE_COPY_BYTES), from);
  }
  return copy;
}

/** Calls `fn` on each item, yielding to the event loop every {@link SLICE_MS} of work. */
export async function forEachSliced<T>(items: Iterable<T>, fn: (item: T) => void): Promise<void> {
  const slice = new TimeSlice();
  for (const item of items) {
    if (slice.due) await slice.pause();
    fn(item);
  }
}
