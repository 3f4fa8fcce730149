import { TopologyError } from '../errors.ts';

function checkMs(what: string, ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new TopologyError(`${what} must be a non-negative integer of ms, got ${ms}`);
  return ms;
}

/**
 * How far apart two records of a stream-stream join may be (Kafka's `JoinWindows`): a left record
 * at `t` joins right records from `t - beforeMs` to `t + afterMs`. Records are accepted until stream
 * time passes the window plus the grace period; for left and outer joins an unmatched record is
 * emitted (with null for the other side) only once its window has closed.
 *
 * @example
 * impressions.join(clicks, (imp, click) => ({ imp, click }), JoinWindows.ofTimeDifferenceAndGrace(60_000, 5_000));
 */
export class JoinWindows {
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;

  private constructor(beforeMs: number, afterMs: number, graceMs: number) {
    this.beforeMs = beforeMs;
    this.afterMs = afterMs;
    this.graceMs = graceMs;
  }

  /** Records at most `ms` apart join; late records are not accepted. */
  static ofTimeDifferenceWithNoGrace(ms: number): JoinWindows {
    return new JoinWindows(checkMs('time difference', ms), ms, 0);
  }

  /** Records at most `ms` apart join; records up to `graceMs` late are still accepted. */
  static ofTimeDifferenceAndGrace(ms: number, graceMs: number): JoinWindows {
    return new JoinWindows(checkMs('time difference', ms), ms, checkMs('grace period', graceMs));
  }

  /** The same windows reaching `ms` back from a left record. */
  before(ms: number): JoinWindows {
    return new JoinWindows(checkMs('before', ms), this.afterMs, this.graceMs);
  }

  /** The same windows reaching `ms` ahead of a left record. */
  after(ms: number): JoinWindows {
    return new JoinWindows(this.beforeMs, checkMs('after', ms), this.graceMs);
  }

  /** The span of the window stores: before + after. */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }
}
