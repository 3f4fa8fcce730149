/**
 * WordCount, the "hello world" of stream processing, as Kafka Streams' WordCountDemo: lines of text
 * in, a running count per word out, on a compacted topic that ends up holding the latest count of
 * every word.
 */
import { Serdes, StreamsBuilder, type Topology } from 'tributary';

/** Lower-cases a line and splits it on non-word characters, dropping empty strings. */
export function words(line: string): string[] {
  return line
    .toLowerCase()
    .split(/\W+/)
    .filter((w) => w.length > 0);
}

/** The topology: `text-lines` → words → grouped by word → counted in `counts-store` → `word-counts`. */
export function wordCountTopology(input = 'text-lines', output = 'word-counts'): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(input, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .flatMapValues((line) => words(line))
    .groupBy((_key, word) => word, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .count({ materialized: 'counts-store' })
    .toStream()
    .to(output, { keySerde: Serdes.String(), valueSerde: Serdes.LongNumber() });
  return builder.build();
}

/** The same count with a plain Map, to check the stream's result against. */
export function plainCount(lines: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) for (const w of words(line)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}
