import { Serdes } from '../../src/serde/index.ts';

export const S = Serdes.String();
export const L = Serdes.LongNumber();
export const I = Serdes.Integer();

/** Entries of a map as a plain object, for readable assertions. */
export function obj<V>(map: Map<string, V>): Record<string, V> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
