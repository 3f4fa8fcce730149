import type { Clock } from '../clock.ts';
import type { LogBackend } from '../log/index.ts';
import type { GroupCoordinator } from './group/coordinator.ts';
import type { Logger } from './logger.ts';

/** What a client gets from its Tributary: the shared log, clock, logger and group coordinator. */
export interface ClientContext {
  readonly clientId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The Tributary's default retry options (a client's own win). */
  readonly retry?: { initialRetryTime?: number; maxRetryTime?: number; retries?: number; restartOnFailure?: (err: Error) => Promise<boolean> };
  /** Opens the log if needed and counts the caller as a user of it. */
  acquire(): Promise<LogBackend>;
  /** Gives the caller's use back; the last one out closes a log the Tributary opened. */
  release(): Promise<void>;
  /** The coordinator of every group of this Tributary (needs an acquired log). */
  coordinator(): Promise<GroupCoordinator>;
}

/**
 * What a consumer or an admin does on connect: acquire the log and the group coordinator, giving
 * the log back if the coordinator cannot be had.
 */
export async function acquireWithCoordinator(ctx: ClientContext): Promise<{ log: LogBackend; coordinator: GroupCoordinator }> {
  const log = await ctx.acquire();
  try {
    return { log, coordinator: await ctx.coordinator() };
  } catch (err) {
    await ctx.release();
    throw err;
  }
}
