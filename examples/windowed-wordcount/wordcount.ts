/**
 * Windowed WordCount: words counted per hopping window of one minute, advancing every 20 s, with
 * 10 s of grace for late lines; `suppress(untilWindowCloses)` holds each window's count back until
 * the window has closed, so `windowed-word-counts` gets one final count per word and window.
 */
import {
  BufferConfig,
  Serdes,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type Topology,
  WindowedSerdes,
} from 'tributary';

export const WINDOW_MS = 60_000;
export const ADVANCE_MS = 20_000;
export const GRACE_MS = 10_000;

export function windowedWordCountTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream('text-lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
    .groupBy((_key, word) => word, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS).advanceBy(ADVANCE_MS))
    .count({
      materialized: { storeName: 'windowed-counts', keySerde: Serdes.String(), valueSerde: Serdes.LongNumber() },
    })
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .to('windowed-word-counts', {
      keySerde: WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), WINDOW_MS),
      valueSerde: Serdes.LongNumber(),
    });
  return builder.build();
}
