import { expect } from 'vitest';
import type { LogBackend } from '../../src/log/index.ts';
import { type Serde, Serdes } from '../../src/serde/index.ts';
import { StreamsBuilder, type StreamsMetric, type Windowed } from '../../src/streams/index.ts';

export const S = Serdes.String();
export const L = Serdes.LongNumber();
export const I = Serdes.Integer();

/** The records of Kafka's KStreamWindowAggregateTest.testAggBasic: key, value, timestamp. */
export const AGG_BASIC_RECORDS: readonly [string, string, number][] = [
  ['A', '1', 0],
  ['B', '2', 1],
  ['C', '3', 2],
  ['D', '4', 3],
  ['A', '1', 4],
  ['A', '1', 5],
  ['B', '2', 6],
  ['D', '4', 7],
  ['B', '2', 8],
  ['C', '3', 9],
  ['A', '1', 10],
  ['B', '2', 11],
  ['D', '4', 12],
  ['B', '2', 13],
  ['C', '3', 14],
  ['B', '1', 3],
  ['B', '2', 2],
  ['B', '3', 9],
];

/** Entries of a map as a plain object, for readable assertions. */
export function obj<V>(map: Map<string, V>): Record<string, V> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The value of the one metric of `group` named `name` whose tags include `tags` (asserted to be one). */
export function metricValue(
  metrics: StreamsMetric[],
  group: string,
  name: string,
  tags: Record<string, string> = {},
): number | string {
  const found = metrics.filter(
    (m) => m.group === group && m.name === name && Object.entries(tags).every(([k, v]) => m.tags[k] === v),
  );
  expect(found, `${group}/${name}`).toHaveLength(1);
  return found[0]!.value;
}

/** WordCount, as Kafka Streams' demo has it, between the given topics. */
export function wordCount(input = 'lines', output = 'word-counts'): StreamsBuilder {
  const builder = new StreamsBuilder();
  builder
    .stream(input, { keySerde: S, valueSerde: S })
    .flatMapValues((line) =>
      line
        .toLowerCase()
        .split(/\W+/)
        .filter((w) => w.length > 0),
    )
    .groupBy((_key, word) => word, { keySerde: S, valueSerde: S })
    .count({ materialized: 'counts-store' })
    .toStream()
    .to(output, { keySerde: S, valueSerde: L });
  return builder;
}

/** The same count with a plain Map, to check a stream's result against. */
export function plainCount(lines: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines)
    for (const w of line.toLowerCase().split(/\W+/)) if (w.length > 0) out.set(w, (out.get(w) ?? 0) + 1);
  return out;
}

/** Yields to the event loop until `check` holds; counts turns, never waits on the wall clock. */
export async function until(check: () => boolean | Promise<boolean>, turns = 5000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not met');
}

/** The latest count per word in a compacted output topic. */
export async function latest(log: LogBackend, topic: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let p = 0; p < log.partitionCount(topic); p++) {
    const { records } = await log.read(topic, p, log.offsets(topic, p).logStartOffset, { maxBytes: 64 << 20 });
    for (const r of records) out.set(S.deserialize(topic, r.key)!, L.deserialize(topic, r.value)!);
  }
  return out;
}

/**
 * The records of partition 0 of `topic`, written with windowed String keys and Long counts, as
 * `[key, window start, count (null: a tombstone), record timestamp]`.
 */
export async function windowedCounts(
  log: LogBackend,
  topic: string,
  keySerde: Serde<Windowed<string>>,
): Promise<[string, number, number | null, number][]> {
  return (await log.read(topic, 0, 0)).records.map((r) => {
    const w = keySerde.deserialize(topic, r.key)!;
    return [w.key, w.window.start, r.value === null ? null : L.deserialize(topic, r.value), r.timestamp];
  });
}
