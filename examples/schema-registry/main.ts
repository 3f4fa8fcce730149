/**
 * A schema registry on the embedded log: serve Confluent's REST API, write Avro records through a
 * registry serde that refuses bad ones, and read old records with a newer schema.
 *
 * Run it: `npx tsx examples/schema-registry/main.ts` (it uses an in-memory log and a free port).
 */
import { openLog } from '../../src/index.ts';
import { avroSerde, serializeBatch, startRegistryServer } from '../../schema-registry/index.ts';

const userV1 = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'example',
  fields: [{ name: 'id', type: 'long' }],
});

const userV2 = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'example',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'email', type: 'string', default: '' },
  ],
});

/** Runs the example; answers what it saw so the example's test can check it. */
export async function main(options: { port?: number; quiet?: boolean } = {}) {
  const say = (...args: unknown[]) => options.quiet !== true && console.log(...args);
  const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'users' });
  const server = await startRegistryServer(log, { port: options.port ?? 0 });
  say(`schema registry on ${server.url} (try: curl ${server.url}/subjects)`);
  try {
    // Registers users-value v1 and writes two records with it.
    const v1 = await avroSerde<{ id: number }>({ registry: server.registry, schema: userV1, topics: ['users'] });
    const records = serializeBatch(
      'users',
      [
        { key: 'a', value: { id: 1 } },
        { key: 'b', value: { id: 2 } },
      ],
      { value: v1 },
    );
    await log.append(
      'users',
      0,
      records.map(({ key, value }) => ({ key, value })),
    );

    // A record that does not match refuses the whole batch: nothing is appended.
    let refused = '';
    try {
      serializeBatch('users', [{ value: { id: 3 } }, { value: { id: 'four' } }], { value: v1 });
    } catch (err) {
      refused = (err as Error).message;
      say('refused:', refused);
    }

    // v2 adds a field with a default (BACKWARD compatible): old records read with it get the default.
    const v2 = await avroSerde<{ id: number; email: string }>({
      registry: server.registry,
      schema: userV2,
      topics: ['users'],
    });
    const { records: stored } = await log.read('users', 0, 0);
    const read = stored.map((r) => v2.deserialize('users', r.value));
    say('read with v2:', read);

    const subjects = (await (await fetch(`${server.url}/subjects`)).json()) as string[];
    say('subjects over REST:', subjects);
    return { read, refused, subjects, versions: server.registry.versions('users-value') };
  } finally {
    await server.close();
    await log.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
