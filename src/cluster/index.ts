/**
 * What Kafka runs server-side, used in-process by embedded clients and by `src/broker` alike: the
 * group coordinator (Kafka's classic group protocol), the one coordinator per log that both share,
 * and the committed offsets it keeps in `__consumer_offsets`. The transaction coordinator is still
 * `src/log/transaction-coordinator.ts`, built by the log's engine (docs/decisions.md says why).
 *
 * @example
 * const coordinator = await acquireCoordinator(log, clock, logger);
 * try { await coordinator.describeGroup('orders'); } finally { releaseCoordinator(log); }
 */
export * from './group-coordinator.ts';
export * from './offset-store.ts';
export * from './shared-group-coordinator.ts';
