/**
 * When a windowed aggregation emits its results (Kafka's `EmitStrategy`, KIP-825):
 * `onWindowUpdate()` forwards every update of a window (through the record cache, one per window
 * per commit when caching is on), the default; `onWindowClose()` forwards each window once, with
 * its final value, after stream time has passed its end plus grace. Unlike
 * `suppress(Suppressed.untilWindowCloses(...))` it keeps no buffer besides the window store: the
 * closed windows are read from the store, at most once per emit interval of the wall clock
 * (`windowedAggregationEmitIntervalMs`, Kafka's internal
 * `__emit.interval.ms.kstreams.windowed.aggregation__`, default 1 000).
 *
 * @example
 * builder.stream<string, string>('clicks', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
 *   .groupByKey()
 *   .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000))
 *   .emitStrategy(EmitStrategy.onWindowClose())
 *   .count();
 */
export class EmitStrategy {
  static readonly #onWindowClose = new EmitStrategy('ON_WINDOW_CLOSE');
  static readonly #onWindowUpdate = new EmitStrategy('ON_WINDOW_UPDATE');
  readonly type: 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE';

  private constructor(type: 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE') {
    this.type = type;
  }

  /** Each window once, when it closes (stream time past its end plus grace). */
  static onWindowClose(): EmitStrategy {
    return EmitStrategy.#onWindowClose;
  }

  /** Every update of a window, as it happens (the default). */
  static onWindowUpdate(): EmitStrategy {
    return EmitStrategy.#onWindowUpdate;
  }
}
