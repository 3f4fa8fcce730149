/**
 * Where Tributary gets its time. Every timer in the engine (retention checks, compaction, session
 * timeouts, commit intervals, punctuators) goes through a `Clock`, so tests hand in a
 * {@link ManualClock} and advance it instead of sleeping.
 *
 * @example
 * const clock = new ManualClock(0);
 * const log = await openLog({ storage: 'memory', clock });
 * clock.advance(8 * 24 * 3600_000); // a week and a day later, at once
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds of this clock's time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer of {@link setTimeout}; a timer that fired or was cleared already is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** An opaque timer handle. */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

/** The wall clock: `Date.now()` and Node's timers, which do not keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    // A deadline already past fires at once; Node 22+ would warn (TimeoutNegativeWarning) for < 0.
    const timer = setTimeout(fn, Math.max(ms, 0));
    timer.unref();
    return timer as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  },
};

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. Timers fire in time order during {@link advance}.
 *
 * @example
 * const clock = new ManualClock(1_000);
 * clock.setTimeout(() => console.log('fired'), 500);
 * clock.advance(499); // nothing
 * clock.advance(1);   // prints 'fired'
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, PendingTimer>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const seq = ++this.#seq;
    this.#timers.set(seq, { at: this.#now + Math.max(0, ms), seq, fn });
    return seq as unknown as TimerHandle;
  }

  /** Cancels a timer; one that fired or was cleared already is ignored. */
  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as unknown as number);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new TypeError(`ManualClock.advance: ms must be ≥ 0, got ${ms}`);
    const target = this.#now + ms;
    for (;;) {
      let next: PendingTimer | undefined;
      for (const timer of this.#timers.values()) {
        if (
          timer.at <= target &&
          (next === undefined || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))
        ) {
          next = timer;
        }
      }
      if (next === undefined) break;
      this.#timers.delete(next.seq);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = target;
  }

  /** Sets the time; it may not go backwards. */
  set(time: number): void {
    this.advance(time - this.#now);
  }

  /** How many timers are waiting. */
  get pendingTimers(): number {
    return this.#timers.size;
  }
}
