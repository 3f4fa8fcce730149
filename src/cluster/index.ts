/**
 * What Kafka runs server-side, used in-process by embedded clients and by `src/broker` alike: the
 * group coordinator (Kafka's classic group protocol) and the one coordinator per log that both
 * share. Committed offsets are still kept by `src/client/group/offset-store.ts` and transactions by
 * the log's engine (docs/decisions.md).
 *
 * @example
 * const coordinator = await acquireCoordinator(log, clock, logger);
 * try { await coordinator.describeGroup('orders'); } finally { releaseCoordinator(log); }
 */
export * from './group-coordinator.ts';
export * from './shared-group-coordinator.ts';
