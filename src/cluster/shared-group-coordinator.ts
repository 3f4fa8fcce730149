/**
 * One group coordinator per log, whoever asks: every Tributary handed the same `log` and the broker
 * serving it share one, so an in-process consumer and a consumer over the network can be members of
 * the same group (and see the same committed offsets). Counted: the last user to let go stops its
 * timers.
 *
 * @example
 * const coordinator = await acquireCoordinator(log, clock, logger);
 * try { await coordinator.joinGroup(...) } finally { releaseCoordinator(log); }
 */
import { OffsetStore } from './offset-store.ts';
import type { Logger } from '../client/logger.ts';
import type { Clock } from '../clock.ts';
import type { LogBackend } from '../log/index.ts';
import { GroupCoordinator } from './group-coordinator.ts';

interface Shared {
  ready: Promise<GroupCoordinator>;
  users: number;
}

const byLog = new WeakMap<LogBackend, Shared>();

/** The coordinator of `log`'s groups, made (and its offsets loaded) on first use. */
export function acquireCoordinator(log: LogBackend, clock: Clock, logger: Logger): Promise<GroupCoordinator> {
  let shared = byLog.get(log);
  if (shared === undefined) {
    const ready = (async () => {
      const store = new OffsetStore(log);
      await store.ready();
      return new GroupCoordinator(store, clock, logger);
    })();
    shared = { ready, users: 0 };
    byLog.set(log, shared);
    const made = shared;
    ready.catch(() => {
      if (byLog.get(log) === made) byLog.delete(log);
    });
  }
  shared.users++;
  return shared.ready;
}

/** Gives one use back; the last one stops the coordinator's timers and forgets it. */
export function releaseCoordinator(log: LogBackend): void {
  const shared = byLog.get(log);
  if (shared === undefined) return;
  shared.users--;
  if (shared.users > 0) return;
  byLog.delete(log);
  shared.ready.then(
    (coordinator) => coordinator.close(),
    () => undefined,
  );
}
