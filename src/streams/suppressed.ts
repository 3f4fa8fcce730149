/**
 * How much a suppression may hold (Kafka's `BufferConfig`) and what it does when full:
 * `emitEarlyWhenFull` emits the oldest records early, `shutDownWhenFull` stops the app with an
 * error (the only choice `untilWindowCloses` accepts short of unbounded, as Kafka's strict buffers).
 *
 * @example
 * BufferConfig.unbounded();
 * BufferConfig.maxRecords(10_000).emitEarlyWhenFull();
 */
export class BufferConfig {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly whenFull: 'emit-early' | 'shut-down';

  private constructor(maxRecords: number, maxBytes: number, whenFull: 'emit-early' | 'shut-down') {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.whenFull = whenFull;
  }

  /** No limit: the buffer holds whatever it must (until memory runs out). */
  static unbounded(): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 'shut-down');
  }

  /** At most `n` keys buffered; emits early when full unless told to shut down. */
  static maxRecords(n: number): BufferConfig {
    return new BufferConfig(n, Number.POSITIVE_INFINITY, 'emit-early');
  }

  /** At most `n` bytes of buffered keys and values; emits early when full unless told to shut down. */
  static maxBytes(n: number): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, n, 'emit-early');
  }

  /** The same buffer, bounded to `n` records. */
  withMaxRecords(n: number): BufferConfig {
    return new BufferConfig(n, this.maxBytes, this.whenFull);
  }

  /** The same buffer, bounded to `n` bytes of keys and values. */
  withMaxBytes(n: number): BufferConfig {
    return new BufferConfig(this.maxRecords, n, this.whenFull);
  }

  /** When full, emits the oldest records before their window closes. */
  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emit-early');
  }

  /** When full, stops the app with an error rather than emit early. */
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shut-down');
  }
}

/**
 * What `KTable.suppress` holds back (Kafka's `Suppressed`): `untilWindowCloses` emits one final
 * result per window once stream time passes its end plus grace; `untilTimeLimit` emits a key's
 * latest update once stream time is `timeToWaitMs` past the record that made it.
 *
 * @example
 * counts.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
 * totals.suppress(Suppressed.untilTimeLimit(60_000, BufferConfig.maxRecords(1_000)));
 */
export interface Suppressed {
  readonly kind: 'window-close' | 'time-limit';
  readonly timeToWaitMs: number;
  readonly buffer: BufferConfig;
  readonly name?: string;
}

/**
 * The suppressions `KTable.suppress` takes, as Kafka's `Suppressed`.
 *
 * @example
 * Suppressed.untilWindowCloses(BufferConfig.unbounded());
 */
export const Suppressed = {
  /** One final result per window, once stream time passes the window's end plus its grace. */
  untilWindowCloses(buffer: BufferConfig): Suppressed {
    return { kind: 'window-close', timeToWaitMs: 0, buffer };
  },
  /** A key's latest update, once stream time is `timeToWaitMs` past the record that made it. */
  untilTimeLimit(timeToWaitMs: number, buffer: BufferConfig): Suppressed {
    return { kind: 'time-limit', timeToWaitMs, buffer };
  },
  /** The same suppression with a name: its processor's, and its buffer store's (`<name>-store`). */
  withName(s: Suppressed, name: string): Suppressed {
    return { ...s, name };
  },
} as const;
