import { Bytes, type BytesEntry, type BytesStore } from './bytes.ts';
import { SortedIds } from './sorted-ids.ts';

/**
 * The in-memory bytes store: a hash map from the key's id (its bytes as latin1) to the value, and
 * a sorted index of ids ({@link SortedIds}), made on the first range and then kept up to date key
 * by key, so stores that range after every put (window stores under joins and windowed
 * aggregations) neither sort everything again nor move half the store per insert.
 */
export class InMemoryBytesStore implements BytesStore {
  readonly name: string;
  readonly persistent: boolean = false;
  readonly #map = new Map<string, Uint8Array>();
  #sorted: SortedIds | undefined;

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
      if (this.#map.delete(id) && sorted !== undefined) sorted.delete(id);
      return;
    }
    const size = this.#map.size;
    this.#map.set(id, value);
    // A new key grew the map: one hash lookup instead of has() then set().
    if (sorted !== undefined && this.#map.size !== size) sorted.insert(id);
  }

  range(from: Bytes | null, to: Bytes | null): BytesEntry[] {
    if (this.#sorted === undefined) {
      // Nothing to range over yet (a window store asking for its newest window on start): no
      // index to keep up on every put until a range is asked of a store with something in it.
      if (this.#map.size === 0) return [];
      this.#sorted = SortedIds.fromSorted([...this.#map.keys()].sort());
    }
    const out: BytesEntry[] = [];
    const map = this.#map;
    const toId = to === null ? null : to.id;
    this.#sorted.forEachFrom(from === null ? null : from.id, (id) => {
      if (toId !== null && id > toId) return false;
      out.push({ key: Bytes.fromId(id), value: map.get(id)! });
      return true;
    });
    return out;
  }

  approximateNumEntries(): number {
    return this.#map.size;
  }

  ids(): Iterable<string> {
    return this.#map.keys();
  }

  flush(): void {}

  close(): void {}
}
