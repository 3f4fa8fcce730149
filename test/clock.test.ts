import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../src/clock.ts';

describe('systemClock', () => {
  it('should fire a timer whose deadline has passed at once, without a negative-timeout warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      await new Promise<void>((resolve) => systemClock.setTimeout(resolve, -25));
      // Node emits process warnings on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('TimeoutNegativeWarning');
  });
});

describe('ManualClock', () => {
  it('should fire timers only when advanced past their deadline, in deadline order', () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20);
    clock.setTimeout(() => fired.push('a'), 10);
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(11);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(1_020);
  });
});
