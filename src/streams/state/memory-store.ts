import { Bytes, type BytesEntry, type BytesStore } from './bytes.ts';

/**
 * The in-memory bytes store: a hash map from the key's id (its bytes as latin1) to the value, and
 * a sorted array of ids, made on the first range and then kept up to date key by key (a binary
 * search and a splice), so stores that range after every put (window stores under joins and
 * windowed aggregations) do not sort everything again each time.
 */
export class InMemoryBytesStore implements BytesStore {
  readonly name: string;
  readonly persistent: boolean = false;
  readonly #map = new Map<string, Uint8Array>();
  #sorted: string[] | undefined;

  constructor(name: string) {
    this.name = name;
  }

  get(key: Bytes): Uint8Array | null {
    return this.#map.get(key.id) ?? null;
  }

  put(key: Bytes, value: Uint8Array | null): void {
    const id = key.id;
    const sorted = this.#sorted;
    if (value === null) {
      if (this.#map.delete(id) && sorted !== undefined) sorted.splice(lowerBound(sorted, id), 1);
      return;
    }
    if (sorted !== undefined && !this.#map.has(id)) sorted.splice(lowerBound(sorted, id), 0, id);
    this.#map.set(id, value);
  }

  range(from: Bytes | null, to: Bytes | null): BytesEntry[] {
    if (this.#sorted === undefined) this.#sorted = [...this.#map.keys()].sort();
    const sorted = this.#sorted;
    const lo = from === null ? 0 : lowerBound(sorted, from.id);
    const out: BytesEntry[] = [];
    for (let i = lo; i < sorted.length; i++) {
      const id = sorted[i]!;
      if (to !== null && id > to.id) break;
      out.push({ key: Bytes.fromId(id), value: this.#map.get(id)! });
    }
    return out;
  }

  approximateNumEntries(): number {
    return this.#map.size;
  }

  flush(): void {}

  close(): void {}
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
