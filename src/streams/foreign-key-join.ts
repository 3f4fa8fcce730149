/**
 * Wires a KTable-KTable foreign-key join as Kafka Streams does (`KTableImpl.doJoinOnForeignKey`):
 * subscriptions go from the primary table to the foreign table through
 * `<app>-…-SUBSCRIPTION-REGISTRATION-<n>-topic`, are kept there in the subscription store, and
 * responses come back through `<app>-…-SUBSCRIPTION-RESPONSE-<n>-topic` to be joined with the
 * primary row, whose hash tells current responses from stale ones. Node, store and topic names
 * and their numbering follow Kafka's, so `describe()` prints the same graph.
 */
import { Serdes } from '../serde/index.ts';
import type { DslBuilder } from './internal/dsl.ts';
import { storeBuilder } from './builder.ts';
import type { ForeignKeyJoinSerdes, ForeignKeyJoinTopics } from './internal/foreign-key/serdes.ts';
import { responseSerde, type SubscriptionResponse, subscriptionSerde } from './internal/foreign-key/wrappers.ts';
import { storeOnDemand } from './internal/table.ts';
import { KTable, tableDef } from './ktable.ts';
import { fkForeignTableJoin } from './operators/fk-foreign-table-join.ts';
import { fkResponseJoin } from './operators/fk-response-join.ts';
import { fkSubscriptionJoin } from './operators/fk-subscription-join.ts';
import { fkSubscriptionReceive } from './operators/fk-subscription-receive.ts';
import { fkSubscriptionSend } from './operators/fk-subscription-send.ts';
import { ktableSourceOnDemand } from './operators/table-source.ts';
import { type Materialized, materializedOptions, type StreamPartitioner, type TableJoined } from './options.ts';
import type { Serde } from '../serde/index.ts';

/** @internal */
export function foreignKeyJoin<K, V, KO, VO, VR>(
  left: KTable<K, V>,
  right: KTable<KO, VO>,
  extract: (value: V, key: K) => KO | null | undefined,
  joiner: (value: V | null, foreignValue: VO | null) => VR,
  leftJoin: boolean,
  tableJoined: TableJoined<K, KO> = {},
  materialized?: Materialized<K, VR>,
): KTable<K, VR> {
  const b: DslBuilder = tableDef(left).builder;
  const t = b.topology;
  const named = tableJoined.name;
  const name = (suffix: string, prefix: string) =>
    named !== undefined ? `${named}${suffix}` : b.names.processor(prefix);
  const serdes: ForeignKeyJoinSerdes<K, V, KO, VO> = {
    primaryKey: tableDef(left).keySerde,
    primaryValue: tableDef(left).valueSerde,
    foreignKey: tableDef(right).keySerde,
    foreignValue: tableDef(right).valueSerde,
  };
  const bytes = Serdes.ByteArray() as Serde<unknown>;

  const subscriptionTopic = `${name('-subscription-registration', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-')}-topic`;
  const sendName = name('-subscription-registration-processor', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-');
  const subscriptionSink = name('-subscription-registration-sink', 'KTABLE-SINK-');
  const subscriptionSource = name('-subscription-registration-source', 'KTABLE-SOURCE-');
  const storeName = named !== undefined ? `${named}-subscription-store` : b.names.store('KTABLE-FK-JOIN-SUBSCRIPTION-');
  const receiveName = name('-subscription-receive', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  const joinForeignName = name('-subscription-join-foreign', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  const foreignJoinName = name('-foreign-join-subscription', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  const responseTopic = `${name('-subscription-response', 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-')}-topic`;
  const responseSink = name('-subscription-response-sink', 'KTABLE-SINK-');
  const responseSource = name('-subscription-response-source', 'KTABLE-SOURCE-');
  const resolverName = name(
    '-subscription-response-resolver',
    'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-',
  );
  const resultName = name('-result', 'KTABLE-FK-JOIN-OUTPUT-');
  const m = materializedOptions(materialized);
  // Kafka names the result's store even when it is not queryable (and makes it when needed).
  const resultStore = m.storeName ?? b.names.store('KTABLE-FK-JOIN-OUTPUT-');
  const topics: ForeignKeyJoinTopics = { subscription: subscriptionTopic, response: responseTopic };

  // Primary side: changes become subscriptions keyed by the foreign key.
  t.internalTopics.set(subscriptionTopic, { name: subscriptionTopic });
  b.addProcessor(sendName, fkSubscriptionSend(extract, serdes, topics, leftJoin), [tableDef(left).nodeName]);
  t.addNode({
    kind: 'sink',
    name: subscriptionSink,
    topic: subscriptionTopic,
    keySerde: bytes,
    valueSerde: subscriptionSerde as Serde<unknown>,
    ...(tableJoined.otherPartitioner !== undefined
      ? { partitioner: byDeserializedKey(tableJoined.otherPartitioner, tableDef(right).keySerde) }
      : {}),
    parents: [sendName],
  });
  t.addNode({
    kind: 'source',
    name: subscriptionSource,
    topics: [subscriptionTopic],
    keySerde: bytes,
    valueSerde: subscriptionSerde as Serde<unknown>,
    children: [],
  });
  b.copartition(subscriptionSource, tableDef(right).nodeName);

  // Foreign side: subscriptions are stored and answered; foreign changes answer every subscriber.
  t.addStore(storeBuilder(storeName, { cachingEnabled: false }, bytes, bytes));
  b.addProcessor(receiveName, fkSubscriptionReceive(storeName), [subscriptionSource], [storeName]);
  b.addProcessor(
    joinForeignName,
    fkSubscriptionJoin(tableDef(right).getter, serdes, topics),
    [receiveName],
    tableDef(right).getter.storeNames,
  );
  b.addProcessor(
    foreignJoinName,
    fkForeignTableJoin(storeName, serdes, topics),
    [tableDef(right).nodeName],
    [storeName],
  );

  // Back to the primary side, to the subscriber's partition.
  t.internalTopics.set(responseTopic, { name: responseTopic });
  t.addNode({
    kind: 'sink',
    name: responseSink,
    topic: responseTopic,
    keySerde: bytes,
    valueSerde: responseSerde as Serde<unknown>,
    partitioner: (tableJoined.partitioner !== undefined
      ? byDeserializedKey(tableJoined.partitioner, tableDef(left).keySerde)
      : toSubscriber) as StreamPartitioner<unknown, unknown>,
    parents: [joinForeignName, foreignJoinName],
  });
  t.addNode({
    kind: 'source',
    name: responseSource,
    topics: [responseTopic],
    keySerde: bytes,
    valueSerde: responseSerde as Serde<unknown>,
    children: [],
  });
  b.copartition(responseSource, tableDef(left).nodeName);
  b.addProcessor(
    resolverName,
    fkResponseJoin(tableDef(left).getter, serdes, topics, joiner, leftJoin),
    [responseSource],
    tableDef(left).getter.storeNames,
  );
  const keySerde = m.keySerde ?? tableDef(left).keySerde;
  // Kafka materializes an unnamed result when something downstream reads it (a join) or needs
  // its old values (groupBy): the getter and the hook do that here.
  const { store, materialize, getter } = storeOnDemand<K, VR>(resultStore, () => {
    t.addStore(storeBuilder(resultStore, m, keySerde, m.valueSerde));
    t.connectStore(resultName, resultStore);
  });
  b.addProcessor(resultName, ktableSourceOnDemand<K, VR | null>(store), [resolverName]);
  if (m.storeName !== undefined) materialize();
  const table = new KTable<K, VR>(
    b,
    resultName,
    keySerde,
    m.valueSerde,
    getter,
    m.storeName !== undefined ? resultStore : undefined,
  );
  tableDef(table).needsOldValues = materialize;
  return table;
}

/** The response goes back to the partition its subscription came from. */
function toSubscriber(_topic: string, _key: unknown, value: SubscriptionResponse, n: number): number | undefined {
  const p = value.primaryPartition;
  return p !== undefined && p >= 0 && p < n ? p : undefined;
}

/** A user's partitioner on the table's keys, called with the key the sink holds in bytes. */
function byDeserializedKey<KX>(
  partitioner: StreamPartitioner<KX, unknown>,
  keySerde: Serde<KX> | undefined,
): StreamPartitioner<unknown, unknown> {
  return (topic, key, _value, n) => {
    if (key === null || key === undefined) return undefined;
    const k = keySerde === undefined ? key : keySerde.deserialize(topic, key as Uint8Array);
    return partitioner(topic, k as KX, null, n);
  };
}
