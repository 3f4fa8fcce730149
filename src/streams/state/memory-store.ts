import { Bytes, type BytesEntry, type BytesStore } from './bytes.ts';

/**
 * The in-memory bytes store: a hash map from the key's id (its bytes as latin1) to the value, and
 * a sorted array of ids rebuilt only when a range is asked for after a key was added or removed.
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
    if (value === null) {
      if (this.#map.delete(id)) this.#sorted = undefined;
      return;
    }
    if (this.#sorted !== undefined && !this.#map.has(id)) this.#sorted = undefined;
    this.#map.set(id, value);
  }

  range(from: Bytes | null, to: Bytes | null): BytesEntry[] {
    if (this.#sorted === undefined) this.#sorted = [...this.#map.keys()].sort();
    const sorted = this.#sorted;
    let lo = 0;
    if (from !== null) {
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]! < from.id) lo = mid + 1;
        else hi = mid;
      }
    }
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
