import { TopologyError } from '../errors.ts';

/**
 * A time window `[start, end)` in ms (Kafka's `TimeWindow`; a session window is `[start, end]`).
 */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/**
 * The key of a windowed aggregation's result (Kafka's `Windowed<K>`): the record key and the window.
 *
 * @example
 * counts.toStream().foreach((w, n) => console.log(`${w.key}@${w.window.start}/${w.window.end}`, n));
 */
export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}

/** Kafka's `Windowed.toString()` shape: `[key@start/end]`. */
export function windowedToString(w: Windowed<unknown>): string {
  return `[${String(w.key)}@${w.window.start}/${w.window.end}]`;
}

/** A duration argument, checked as Kafka checks them (an integer, not below `min`). */
function checkMs(what: string, ms: number, min: number): number {
  if (!Number.isSafeInteger(ms) || ms < min)
    throw new TopologyError(`${what} must be an integer of at least ${min} ms, got ${ms}`);
  return ms;
}

/**
 * Fixed-size windows aligned to the epoch (Kafka's `TimeWindows`): tumbling when `advanceMs` equals
 * the size, hopping when it is smaller. A record belongs to every window `[start, start + size)`
 * that contains its timestamp; a window accepts records until stream time passes its end plus the
 * grace period.
 *
 * @example
 * TimeWindows.ofSizeWithNoGrace(60_000);                     // tumbling minutes
 * TimeWindows.ofSizeAndGrace(300_000, 10_000).advanceBy(60_000); // 5-minute windows every minute
 */
export class TimeWindows {
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;

  private constructor(sizeMs: number, advanceMs: number, graceMs: number) {
    this.sizeMs = sizeMs;
    this.advanceMs = advanceMs;
    this.graceMs = graceMs;
  }

  /** Tumbling windows of `sizeMs` that close as soon as stream time reaches their end. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return new TimeWindows(checkMs('window size', sizeMs, 1), sizeMs, 0);
  }

  /** Tumbling windows of `sizeMs` that accept records until `graceMs` after their end. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    return new TimeWindows(checkMs('window size', sizeMs, 1), sizeMs, checkMs('grace period', graceMs, 0));
  }

  /** Hopping windows: a new window starts every `advanceMs` (0 < advance ≤ size). */
  advanceBy(advanceMs: number): TimeWindows {
    checkMs('window advance', advanceMs, 1);
    if (advanceMs > this.sizeMs)
      throw new TopologyError(
        `window advance (${advanceMs} ms) must not be larger than the window size (${this.sizeMs} ms)`,
      );
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** The windows containing `timestamp`, by start (Kafka's `TimeWindows.windowsFor`). */
  windowsFor(timestamp: number): Window[] {
    const out: Window[] = [];
    let start = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    for (; start <= timestamp; start += this.advanceMs) out.push({ start, end: start + this.sizeMs });
    return out;
  }
}

/**
 * Sessions of activity (Kafka's `SessionWindows`): records of a key less than `gapMs` apart belong
 * to one session `[first, last]`; a record that bridges two sessions merges them. A session accepts
 * records until stream time passes its end plus the gap plus the grace period.
 *
 * @example
 * views.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(30 * 60_000)).count();
 */
export class SessionWindows {
  readonly gapMs: number;
  readonly graceMs: number;

  private constructor(gapMs: number, graceMs: number) {
    this.gapMs = gapMs;
    this.graceMs = graceMs;
  }

  /** Sessions that close after `gapMs` without a record for the key; late records are dropped. */
  static ofInactivityGapWithNoGrace(gapMs: number): SessionWindows {
    return new SessionWindows(checkMs('inactivity gap', gapMs, 1), 0);
  }

  /** Sessions that close after `gapMs` without a record, accepting records up to `graceMs` late. */
  static ofInactivityGapAndGrace(gapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows(checkMs('inactivity gap', gapMs, 1), checkMs('grace period', graceMs, 0));
  }
}

/**
 * Windows that slide with the records (Kafka's `SlidingWindows`): every record of a key makes the
 * window `[ts - timeDifference, ts]` ending at it and, when later records follow within the
 * difference, the window `[ts + 1, ts + 1 + timeDifference]` starting just after it; a window holds
 * the records whose timestamps it covers (both ends inclusive). A window accepts records until
 * stream time passes its end plus the grace period.
 *
 * @example
 * ratings.groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(60_000)).count();
 */
export class SlidingWindows {
  readonly timeDifferenceMs: number;
  readonly graceMs: number;

  private constructor(timeDifferenceMs: number, graceMs: number) {
    this.timeDifferenceMs = timeDifferenceMs;
    this.graceMs = graceMs;
  }

  /** Windows of every span of `timeDifferenceMs` that records fall in; late records are dropped. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return new SlidingWindows(checkMs('time difference', timeDifferenceMs, 0), 0);
  }

  /** Sliding windows of `timeDifferenceMs`, accepting records up to `graceMs` late. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows(checkMs('time difference', timeDifferenceMs, 0), checkMs('grace period', graceMs, 0));
  }
}
