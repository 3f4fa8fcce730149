// Run by scripts/test-package.mjs inside a fresh project that installed the packed tarball: the
// package as an ESM program uses it. Exits non-zero (an AssertionError) when something is off.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStreams, openLog, Serdes, StreamsBuilder, Tributary, TributaryError } from 'tributary';
import { TopologyTestDriver } from 'tributary/testing';

const loaded = (name) =>
  Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes(`/node_modules/${name}/`));
// Loaded on first use only (docs/benchmarks.md, first import).
assert.equal(loaded('rxjs'), false, 'import "tributary" loaded rxjs');
assert.equal(loaded('classic-level'), false, 'import "tributary" loaded classic-level');
assert.equal(loaded('fastify'), false, 'import "tributary" loaded fastify');
assert.equal(loaded('@node-rs/crc32'), false, 'import "tributary" loaded @node-rs/crc32');

// The log over memory, then on disk (classic-level's native addon from the installed package).
const memory = await openLog({ storage: 'memory' });
await memory.createTopic({ topic: 'orders', numPartitions: 2 });
const { baseOffset } = await memory.append('orders', 1, [
  { key: Serdes.String().serialize('orders', 'k1'), value: Serdes.String().serialize('orders', 'v1') },
]);
const { records } = await memory.read('orders', 1, baseOffset);
assert.equal(Serdes.String().deserialize('orders', records[0].value), 'v1');
await memory.close();

const dataDir = mkdtempSync(join(tmpdir(), 'tributary-package-'));
try {
  const disk = await openLog({ dataDir });
  await disk.createTopic({ topic: 'orders', numPartitions: 1 });
  await disk.append('orders', 0, [{ key: null, value: Buffer.from('on disk') }], { sync: true });
  assert.equal((await disk.read('orders', 0, 0)).records[0].value.toString(), 'on disk');
  await assert.rejects(
    disk.createTopic({ topic: 'orders', numPartitions: 1 }),
    (err) => err instanceof TributaryError && err.code === 'TOPIC_ALREADY_EXISTS',
  );
  await disk.close();
  assert.equal(loaded('classic-level'), true);
  assert.equal(loaded('@node-rs/crc32'), true, 'the batches written were not checksummed natively');
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

// The kafkajs-shaped clients, and an observable (rxjs is required now, the program's own copy).
const { firstValueFrom } = await import('rxjs');
const tributary = new Tributary({ storage: 'memory', clientId: 'package-test', logLevel: 0 });
const admin = tributary.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: 'greetings', numPartitions: 1 }] });
const producer = tributary.producer();
await producer.connect();
const [sent] = await producer.send({ topic: 'greetings', messages: [{ key: 'k', value: 'hello' }] });
assert.equal(sent.topicName, 'greetings');
const consumer = tributary.consumer({ groupId: 'package-test' });
await consumer.connect();
await consumer.subscribe({ topics: ['greetings'], fromBeginning: true });
const first = await firstValueFrom(consumer.observe());
assert.equal(first.message.value.toString(), 'hello');
assert.equal(loaded('rxjs'), true);
await consumer.disconnect();
await producer.disconnect();
await admin.disconnect();

// KafkaStreams over the embedded log: the runtime from the bundle's chunks, start to close.
{
  const log = await openLog({ storage: 'memory' });
  await log.createTopic({ topic: 'words', numPartitions: 2 });
  const words = new StreamsBuilder();
  words
    .stream('words', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .groupBy((_key, word) => word, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .count({ materialized: 'word-counts' });
  const streams = new KafkaStreams(words.build(), { applicationId: 'package-test', log });
  await streams.start();
  for (const [partition, word] of [
    [0, 'a'],
    [1, 'b'],
    [0, 'a'],
  ])
    await log.append('words', partition, [{ key: null, value: Serdes.String().serialize('words', word) }]);
  await streams.waitForIdle();
  assert.equal(streams.store('word-counts').get('a'), 2);
  await streams.close();
  await log.close();
}

// tributary/testing: a topology driven without a log.
const builder = new StreamsBuilder();
builder
  .stream('lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  .flatMapValues((line) => line.split(' '))
  .groupBy((_key, word) => word, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  .count()
  .toStream()
  .to('counts', { keySerde: Serdes.String(), valueSerde: Serdes.LongNumber() });
const driver = new TopologyTestDriver(builder.build());
driver.createInputTopic('lines', Serdes.String(), Serdes.String()).pipeInput(null, 'a b a');
const counts = driver.createOutputTopic('counts', Serdes.String(), Serdes.LongNumber()).readKeyValuesToMap();
assert.equal(counts.get('a'), 2);
driver.close();

// tributary/schema-registry: the REST server on a free port, and an Avro serde.
const { avroSerde, startRegistryServer } = await import('tributary/schema-registry');
const registryLog = await openLog({ storage: 'memory' });
const server = await startRegistryServer(registryLog, { port: 0 });
try {
  const schema = JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'id', type: 'int' }] });
  const users = await avroSerde({ registry: server.registry, schema, topics: ['users'] });
  assert.equal(users.deserialize('users', users.serialize('users', { id: 7 })).id, 7);
  const subjects = await (await fetch(`${server.url}/subjects`)).json();
  assert.deepEqual(subjects, ['users-value']);
  // The registry reads the version from the package's package.json, found from the bundle's files.
  const { version } = await (await fetch(`${server.url}/v1/metadata/version`)).json();
  assert.equal(version, createRequire(import.meta.url)('tributary/package.json').version);
} finally {
  await server.close();
  await registryLog.close();
}
// tributary/console: the console's server (with its page's files and libraries from the package).
const { startConsole } = await import('tributary/console');
const consoleLog = await openLog({ storage: 'memory' });
const consoleServer = await startConsole({ log: consoleLog, port: 0 });
try {
  const page = await fetch(`${consoleServer.url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy'), /script-src 'self'/);
  assert.equal((await fetch(`${consoleServer.url}/vendor/preact.js`)).status, 200);
  assert.equal((await fetch(`${consoleServer.url}/app.js`)).status, 200);
  assert.deepEqual((await (await fetch(`${consoleServer.url}/api/topics`)).json()).topics, []);
} finally {
  await consoleServer.close();
  await consoleLog.close();
}
console.log('esm: ok');
