/**
 * The sorted key ids of an in-memory store, kept in chunks of at most {@link CHUNK} ids: an insert
 * or delete moves at most one chunk's ids (a plain sorted array moves half the store per insert,
 * which made a window store of a million windows spend its time in `splice`).
 */
const CHUNK = 512;

export class SortedIds {
  readonly #chunks: string[][] = [];

  get size(): number {
    let n = 0;
    for (const c of this.#chunks) n += c.length;
    return n;
  }

  /** Makes the index of ids that are already sorted and unique. */
  static fromSorted(ids: string[]): SortedIds {
    const out = new SortedIds();
    for (let i = 0; i < ids.length; i += CHUNK / 2) out.#chunks.push(ids.slice(i, i + CHUNK / 2));
    return out;
  }

  /** Adds `id`, which must not be in the index. */
  insert(id: string): void {
    const chunks = this.#chunks;
    if (chunks.length === 0) {
      chunks.push([id]);
      return;
    }
    let c = this.#chunkFor(id);
    if (c === chunks.length) c--;
    const chunk = chunks[c]!;
    // Rising ids (time-ordered windows, sequence numbers) go to the end: no search needed.
    if (chunk[chunk.length - 1]! < id) chunk.push(id);
    else chunk.splice(lowerBound(chunk, id), 0, id);
    if (chunk.length > CHUNK) chunks.splice(c + 1, 0, chunk.splice(CHUNK / 2));
  }

  /** Removes `id` if it is in the index. */
  delete(id: string): void {
    const chunks = this.#chunks;
    const c = this.#chunkFor(id);
    if (c === chunks.length) return;
    const chunk = chunks[c]!;
    const i = lowerBound(chunk, id);
    if (chunk[i] !== id) return;
    chunk.splice(i, 1);
    if (chunk.length === 0) chunks.splice(c, 1);
  }

  /** Calls `fn` with every id from `from` (inclusive, null: the first) while it returns true. */
  forEachFrom(from: string | null, fn: (id: string) => boolean): void {
    const chunks = this.#chunks;
    let c = from === null ? 0 : this.#chunkFor(from);
    let i = from === null || c === chunks.length ? 0 : lowerBound(chunks[c]!, from);
    for (; c < chunks.length; c++, i = 0) {
      const chunk = chunks[c]!;
      for (; i < chunk.length; i++) if (!fn(chunk[i]!)) return;
    }
  }

  /** The first chunk whose last id is not below `id` (chunks.length when none). */
  #chunkFor(id: string): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid]!;
      if (chunk[chunk.length - 1]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The first index whose id is not below `id`. */
function lowerBound(sorted: string[], id: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
