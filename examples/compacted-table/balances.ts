/**
 * Account balances as a table: the `balances` topic is compacted, so it keeps the latest balance
 * per account, and a tombstone (null value) closes an account. The app materializes the table in
 * `balances-store` for interactive queries and lists overdrawn accounts on `overdrawn`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultPartition,
  type EmbeddedLogBackend,
  KafkaStreams,
  openLog,
  Serdes,
  StreamsBuilder,
  type Topology,
} from 'tributary';

export function balancesTopology(): Topology {
  const builder = new StreamsBuilder();
  const balances = builder.table('balances', {
    keySerde: Serdes.String(),
    valueSerde: Serdes.Double(),
    materialized: 'balances-store',
  });
  balances
    .filter((_account, balance) => balance < 0)
    .toStream()
    .to('overdrawn', { keySerde: Serdes.String(), valueSerde: Serdes.Double() });
  return builder.build();
}

/** Opens the log and the app on `dir` (the log in `dir/log`, the persistent store in `dir/state`). */
export async function openApp(dir: string): Promise<{ log: EmbeddedLogBackend; streams: KafkaStreams }> {
  mkdirSync(dir, { recursive: true });
  const log = await openLog({ dataDir: join(dir, 'log'), maintenanceIntervalMs: 0 });
  for (const [topic, compact] of [
    ['balances', true],
    ['overdrawn', false],
  ] as const) {
    if (!(await log.listTopics()).includes(topic)) {
      await log.createTopic({ topic, numPartitions: 3, configs: compact ? { 'cleanup.policy': 'compact' } : {} });
    }
  }
  const streams = new KafkaStreams(balancesTopology(), {
    applicationId: 'balances',
    log,
    stateDir: join(dir, 'state'),
    commitIntervalMs: 50,
  });
  await streams.start();
  return { log, streams };
}

/** Writes balance updates (null closes the account) where Kafka's default partitioner puts them. */
export async function setBalances(log: EmbeddedLogBackend, updates: [string, number | null][]): Promise<void> {
  const keys = Serdes.String();
  const values = Serdes.Double();
  for (const [account, balance] of updates) {
    const key = keys.serialize('balances', account)!;
    await log.append('balances', defaultPartition(key, 3), [{ key, value: values.serialize('balances', balance) }]);
  }
}
