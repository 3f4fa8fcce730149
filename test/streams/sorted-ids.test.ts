import { describe, expect, it } from 'vitest';
import { SortedIds } from '../../src/streams/state/sorted-ids.ts';
import { seeded } from '../interop/streams/scenarios.ts';

const all = (s: SortedIds, from: string | null = null) => {
  const out: string[] = [];
  s.forEachFrom(from, (id) => {
    out.push(id);
    return true;
  });
  return out;
};

describe('SortedIds (the in-memory store index)', () => {
  it('stays sorted through random inserts and deletes across many chunks, and ranges from any id', () => {
    const r = seeded(7);
    const index = new SortedIds();
    const plain = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = String.fromCharCode(Math.floor(r() * 40) + 40, Math.floor(r() * 256), Math.floor(r() * 256));
      if (r() < 0.3) {
        index.delete(id);
        plain.delete(id);
      } else if (!plain.has(id)) {
        index.insert(id);
        plain.add(id);
      }
    }
    const sorted = [...plain].sort();
    expect(all(index)).toEqual(sorted);
    expect(index.size).toBe(sorted.length);
    for (const from of ['', 'A', sorted[1234]!, `${sorted[5000]!}\u0000`, '\u00ff'])
      expect(all(index, from)).toEqual(sorted.filter((id) => id >= from));
  });

  it('starts from already sorted ids and stops when asked', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => String(i).padStart(5, '0'));
    const index = SortedIds.fromSorted(ids);
    index.insert('00100x');
    index.delete('00000');
    const seen: string[] = [];
    index.forEachFrom('00099', (id) => {
      seen.push(id);
      return seen.length < 4;
    });
    expect(seen).toEqual(['00099', '00100', '00100x', '00101']);
    expect(all(index).length).toBe(2000);
  });
});
