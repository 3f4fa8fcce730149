import type { Clock } from '../clock.ts';
import type { LogBackend } from '../log/index.ts';
import type { GroupCoordinator } from '../cluster/group-coordinator.ts';
import type { Logger } from './logger.ts';
import type { ConnectionInstrumentation } from './wire/connection.ts';
import type { WireAdminCalls } from './wire/admin-calls.ts';
import type { RetryOptions } from './wire/retry.ts';
import type { WireTransactions } from './wire/transactions.ts';
import type { WireTransport } from './wire/transport.ts';
import type { ProducerIdentity } from '../log/index.ts';

/** What a client gets from a Tributary made with `brokers`: its own connections to the cluster. */
export interface WireContext {
  /**
   * A transport on a new cluster view with its own connections (each client has its own, as in
   * kafkajs), connected; its requests are reported to `instrumentation`. `retryDefaults` stand in
   * for what the Tributary's own `retry` option leaves unset (Streams makes its clients patient).
   */
  connect(instrumentation: ConnectionInstrumentation, retryDefaults?: RetryOptions): Promise<WireTransport>;
  /**
   * The consumer's log reads and group calls over the wire, shared by this Tributary's consumers
   * (as the embedded log is); each call counts a user, and `release` gives it back.
   */
  acquireConsumer(): Promise<{ log: LogBackend; coordinator: GroupCoordinator }>;
  /** A transactional producer's calls to the transaction coordinator. */
  transactions(
    transport: WireTransport,
    transactionalId: string,
    identity: () => ProducerIdentity,
  ): Promise<WireTransactions>;
  /** The admin's group, partition and config calls. */
  adminCalls(transport: WireTransport): Promise<WireAdminCalls>;
}

/** What a client gets from its Tributary: the shared log, clock, logger and group coordinator. */
export interface ClientContext {
  readonly clientId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The Tributary's default retry options (a client's own win). */
  readonly retry?: {
    initialRetryTime?: number;
    maxRetryTime?: number;
    retries?: number;
    restartOnFailure?: (err: Error) => Promise<boolean>;
  };
  /** Opens the log if needed and counts the caller as a user of it. */
  acquire(): Promise<LogBackend>;
  /** Gives the caller's use back; the last one out closes a log the Tributary opened. */
  release(): Promise<void>;
  /** The coordinator of every group of this Tributary (needs an acquired log). */
  coordinator(): Promise<GroupCoordinator>;
  /** Set when the Tributary speaks Kafka's protocol to brokers; then `acquire` refuses. */
  readonly wire?: WireContext;
}

/**
 * What a consumer or an admin does on connect: acquire the log and the group coordinator, giving
 * the log back if the coordinator cannot be had.
 */
export async function acquireWithCoordinator(
  ctx: ClientContext,
): Promise<{ log: LogBackend; coordinator: GroupCoordinator }> {
  if (ctx.wire !== undefined) return ctx.wire.acquireConsumer();
  const log = await ctx.acquire();
  try {
    return { log, coordinator: await ctx.coordinator() };
  } catch (err) {
    await ctx.release();
    throw err;
  }
}
