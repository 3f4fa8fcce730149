// Type-checked by scripts/test-package.mjs in a fresh project against the installed package's
// declarations, under several tsconfigs (NodeNext and bundler, strict, with and without skipLibCheck).
import {
  KafkaStreams,
  openLog,
  type ProcessorRecordMetadata,
  type RecordMetadata,
  Serdes,
  StreamsBuilder,
  Tributary,
  TributaryError,
} from 'tributary';
import { avroSerde, type RegistryServer, startRegistryServer } from 'tributary/schema-registry';
import { TopologyTestDriver } from 'tributary/testing';

export async function main(): Promise<void> {
  const log = await openLog({ storage: 'memory' });
  await log.createTopic({ topic: 'orders', numPartitions: 3 });
  const builder = new StreamsBuilder();
  builder
    .stream('orders', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .mapValues((v) => v.length)
    .to('lengths', { keySerde: Serdes.String(), valueSerde: Serdes.Integer() });
  const streams = new KafkaStreams(builder.build(), { applicationId: 'app', log });
  await streams.start();
  await streams.close();
  const driver = new TopologyTestDriver(builder.build());
  driver.close();

  const tributary = new Tributary({ storage: 'memory' });
  const producer = tributary.producer();
  const sent: RecordMetadata[] = await producer.send({ topic: 'orders', messages: [{ value: 'x' }] });
  const where: ProcessorRecordMetadata = { topic: 'orders', partition: 0, offset: 0 };
  console.log(sent[0]?.baseOffset, where.offset);

  const server: RegistryServer = await startRegistryServer(log, { port: 0 });
  const serde = await avroSerde<{ id: number }>({
    registry: server.registry,
    schema: '{"type":"record","name":"T","fields":[{"name":"id","type":"int"}]}',
    topics: ['t'],
  });
  const bytes: Uint8Array | null = serde.serialize('t', { id: 1 });
  console.log(bytes?.length);
  try {
    await log.createTopic({ topic: 'orders', numPartitions: 1 });
  } catch (err) {
    if (err instanceof TributaryError && err.code === 'TOPIC_ALREADY_EXISTS') return;
    throw err;
  }
}

// What the library's own modules share is not on the public classes (issue 13): each line must be
// a type error, or `@ts-expect-error` itself fails the check.
export function internalsStayHidden(builder: StreamsBuilder, tributary: Tributary): void {
  const topology = builder.build();
  // @ts-expect-error the topology's graph is internal
  topology.addNode;
  // @ts-expect-error the topology's graph is internal
  topology.nodes;
  // @ts-expect-error sub-topologies are the runtime's business
  topology.subtopologies;
  // @ts-expect-error the builder's topology under construction is internal
  builder.topology;
  // @ts-expect-error the DSL's building steps are internal
  builder.addProcessor;
  const stream = builder.stream('orders');
  // @ts-expect-error a stream's node is internal
  stream.nodeName;
  // @ts-expect-error a stream's builder is internal
  stream.builder;
  const table = builder.table('balances');
  // @ts-expect-error a table's value getter is internal
  table.getter;
  // @ts-expect-error a grouping's repartitioning is internal
  stream.groupByKey().repartitioned;
  const producer = tributary.producer();
  // @ts-expect-error the shared send path is internal
  producer.sendWith;
}
