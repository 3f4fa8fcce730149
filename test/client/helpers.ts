import { ManualClock, Tributary, type TributaryConfig } from '../../src/index.ts';

/** A Tributary on an in-memory log and a manual clock. */
export function memoryTributary(config: Partial<TributaryConfig> = {}): { tributary: Tributary; clock: ManualClock } {
  const clock = (config.clock as ManualClock | undefined) ?? new ManualClock(1_700_000_000_000);
  const tributary = new Tributary({ storage: 'memory', clientId: 'test', logLevel: 0, clock, ...config });
  return { tributary, clock };
}

/**
 * Yields to the event loop until `condition` holds. It counts turns of the loop, not time: a slow
 * disk only means more turns, so the bound is generous (a real hang still fails, within seconds).
 */
export async function until(condition: () => boolean, what = 'condition', turns = 2_000_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** {@link until} for a condition that has to be checked asynchronously. */
export async function eventually(
  condition: () => Promise<boolean>,
  what = 'condition',
  turns = 200_000,
): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (await condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
