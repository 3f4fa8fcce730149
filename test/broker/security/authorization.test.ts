import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ConfigResourceTypes,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../../src/broker/index.ts';
import { topicUuid } from '../../../src/broker/topic-ids.ts';
import { SECURITY_TOPIC } from '../../../src/security/store.ts';
import { type EmbeddedLogBackend, openLog } from '../../../src/log/index.ts';
import { API } from '../../../src/protocol/messages/index.ts';
import { RawClient } from '../raw-client.ts';
import { clientAs, tls } from './fixtures.ts';

let log: EmbeddedLogBackend | undefined;
let broker: Broker | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await broker?.close();
  await log?.close();
  broker = undefined;
  log = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(options: Parameters<typeof serve>[0] = {}): Promise<Broker> {
  log ??= await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  for (const topic of ['a', 'b']) await log.createTopic({ topic }).catch(() => undefined);
  broker = await serve({
    log,
    listeners: ['SASL_PLAINTEXT://127.0.0.1:0'],
    sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], plainVerifier: (_u, p) => p === 'pw' },
    logLevel: 0,
    groupInitialRebalanceDelayMs: 0,
    ...options,
  });
  return broker;
}

const port = () => broker!.listeners()[0]!.port;
const names = async (user: string) => {
  const client = await clientAs(port(), user);
  const md = await client.request(API.Metadata, 9, { topics: null, allowAutoTopicCreation: false });
  client.close();
  return md.topics
    .map((t) => t.name)
    .filter((n) => n !== '__consumer_offsets')
    .sort();
};

describe('who sees what', () => {
  it('Metadata for all topics lists only those the principal may DESCRIBE; the security topic never', async () => {
    await start({ authorizer: { superUsers: ['User:admin'] } });
    await (await broker!.security()).createAcls([
      {
        resourceType: 'TOPIC',
        resourceName: 'a',
        patternType: 'PREFIXED',
        principal: 'User:bob',
        host: '*',
        operation: 'READ',
        permission: 'ALLOW',
      },
    ]);
    expect(await names('bob')).toEqual(['a']);
    expect(await names('carol')).toEqual([]);
    expect(await names('admin')).toEqual(['a', 'b']);
    expect(await log!.listTopics()).toContain(SECURITY_TOPIC);
  });

  it('authorized operations: Metadata and DescribeCluster carry Kafka’s bit fields when asked', async () => {
    await start({ authorizer: { superUsers: ['User:admin'] } });
    await (await broker!.security()).createAcls([
      {
        resourceType: 'TOPIC',
        resourceName: 'a',
        patternType: 'LITERAL',
        principal: 'User:bob',
        host: '*',
        operation: 'READ',
        permission: 'ALLOW',
      },
      {
        resourceType: 'CLUSTER',
        resourceName: 'kafka-cluster',
        patternType: 'LITERAL',
        principal: 'User:bob',
        host: '*',
        operation: 'DESCRIBE',
        permission: 'ALLOW',
      },
    ]);
    const client = await clientAs(port(), 'bob');
    const md = await client.request(API.Metadata, 9, {
      topics: [{ name: 'a' }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: true,
      includeClusterAuthorizedOperations: true,
    });
    // READ (3) and the DESCRIBE (8) it implies.
    expect(md.topics[0]!.topicAuthorizedOperations).toBe((1 << 3) | (1 << 8));
    expect(md.clusterAuthorizedOperations).toBe(1 << 8);
    const cluster = await client.request(API.DescribeCluster, 0, { includeClusterAuthorizedOperations: true });
    expect(cluster.clusterAuthorizedOperations).toBe(1 << 8);
    const plain = await client.request(API.Metadata, 9, { topics: [{ name: 'a' }], allowAutoTopicCreation: false });
    expect(plain.topics[0]!.topicAuthorizedOperations).toBe(-2147483648);
    client.close();
  });

  it('allowEveryoneIfNoAclFound opens resources without any ACL, not those with one', async () => {
    await start({ authorizer: { allowEveryoneIfNoAclFound: true } });
    await (await broker!.security()).createAcls([
      {
        resourceType: 'TOPIC',
        resourceName: 'b',
        patternType: 'LITERAL',
        principal: 'User:bob',
        host: '*',
        operation: 'DESCRIBE',
        permission: 'ALLOW',
      },
    ]);
    expect(await names('carol')).toEqual(['a']);
    expect(await names('bob')).toEqual(['a', 'b']);
  });

  it('without an authorizer everything is open but the security topic, which no client reads or writes', async () => {
    await start();
    await broker!.security();
    expect(await names('anyone')).toEqual(['a', 'b']);
    const client = await clientAs(port(), 'anyone');
    const fetched = await client.request(API.Fetch, 11, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      sessionEpoch: -1,
      topics: [{ topic: SECURITY_TOPIC, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    });
    expect(fetched.responses[0]!.partitions[0]!.errorCode).toBe(29);
    // By topic id too (Fetch v13+), twice: the second time from the id cache.
    const topicId = topicUuid((await log!.describeTopic(SECURITY_TOPIC)).topicId);
    for (let i = 0; i < 2; i++) {
      const byId = await client.request(API.Fetch, 13, {
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        sessionEpoch: -1,
        topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
      });
      expect(byId.responses[0]!.partitions[0]!.errorCode).toBe(29);
    }
    const md = await client.request(API.Metadata, 9, {
      topics: [{ name: SECURITY_TOPIC }],
      allowAutoTopicCreation: false,
    });
    expect(md.topics[0]!.errorCode).toBe(29);
    const deleted = await client.request(API.DeleteTopics, 5, { topicNames: [SECURITY_TOPIC], timeoutMs: 1000 });
    expect(deleted.responses[0]!.errorCode).toBe(29);
    client.close();
  });

  it('the ACL APIs answer SECURITY_DISABLED without an authorizer', async () => {
    await start();
    const client = await clientAs(port(), 'anyone');
    const described = await client.request(API.DescribeAcls, 2, {
      resourceTypeFilter: 1,
      resourceNameFilter: null,
      patternTypeFilter: 1,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    });
    expect(described.errorCode).toBe(54);
    client.close();
  });
});

describe('ACLs and users kept in the log', () => {
  it('survive a restart of the broker on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trib-sec-'));
    dirs.push(dataDir);
    const options = {
      dataDir,
      listeners: ['SASL_PLAINTEXT://127.0.0.1:0'],
      authorizer: { superUsers: ['User:admin'] },
      logLevel: 0,
    } as const;
    broker = await serve(options);
    const store = await broker.security();
    await store.upsertScram('alice', 'SCRAM-SHA-512', 'alice-pw');
    await store.createAcls([
      {
        resourceType: 'GROUP',
        resourceName: '*',
        patternType: 'LITERAL',
        principal: 'User:alice',
        host: '*',
        operation: 'READ',
        permission: 'ALLOW',
      },
    ]);
    await broker.close();
    broker = await serve(options);
    const again = await broker.security();
    expect(again.scramUsers()).toEqual([
      { user: 'alice', credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 4096 }] },
    ]);
    expect(again.describeAcls({ ...(await import('../../../src/security/acl.ts')).ACL_FILTER_ANY })).toHaveLength(1);
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${broker.address().port}`],
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-pw' },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.disconnect();
  });
});

describe('kafkajs admin ACL and SCRAM calls', () => {
  it('createAcls, describeAcls, deleteAcls as a super user', async () => {
    await start({ authorizer: { superUsers: ['User:admin'] } });
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${port()}`],
      sasl: { mechanism: 'plain', username: 'admin', password: 'pw' },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await admin.connect();
    const acl = {
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'orders-',
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal: 'User:bob',
      host: '*',
      operation: AclOperationTypes.WRITE,
      permissionType: AclPermissionTypes.ALLOW,
    };
    await admin.createAcls({ acl: [acl] });
    const described = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    expect(described.resources).toEqual([
      {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: 'orders-',
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        acls: [
          {
            principal: 'User:bob',
            host: '*',
            operation: AclOperationTypes.WRITE,
            permissionType: AclPermissionTypes.ALLOW,
          },
        ],
      },
    ]);
    const deleted = await admin.deleteAcls({ filters: [{ ...acl }] });
    expect(deleted.filterResponses[0]!.matchingAcls).toHaveLength(1);
    expect(
      (await broker!.security()).describeAcls({ ...(await import('../../../src/security/acl.ts')).ACL_FILTER_ANY }),
    ).toEqual([]);
    const configs = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }],
      includeSynonyms: false,
    });
    const text = JSON.stringify(configs);
    expect(text).not.toContain('pw');
    await admin.disconnect();
  });

  it('AlterUserScramCredentials takes a salted password; the user then authenticates with SCRAM', async () => {
    await start({ authorizer: { superUsers: ['User:admin'] } });
    const client = await clientAs(port(), 'admin');
    const salt = randomBytes(16);
    const saltedPassword = pbkdf2Sync('dave-pw', salt, 8192, 32, 'sha256');
    const altered = await client.request(API.AlterUserScramCredentials, 0, {
      deletions: [{ name: 'ghost', mechanism: 1 }],
      upsertions: [
        { name: 'dave', mechanism: 1, iterations: 8192, salt, saltedPassword },
        { name: 'weak', mechanism: 1, iterations: 1000, salt, saltedPassword },
      ],
    });
    expect(altered.results).toEqual([
      { user: 'ghost', errorCode: 91, errorMessage: 'Attempt to delete a user credential that does not exist' },
      { user: 'dave', errorCode: 0, errorMessage: null },
      { user: 'weak', errorCode: 93, errorMessage: 'Too few iterations' },
    ]);
    const described = await client.request(API.DescribeUserScramCredentials, 0, {
      users: [{ name: 'dave' }, { name: 'nobody' }],
    });
    expect(described.results).toEqual([
      { user: 'dave', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 8192 }] },
      {
        user: 'nobody',
        errorCode: 91,
        errorMessage: 'Attempt to describe a user credential that does not exist',
        credentialInfos: [],
      },
    ]);
    client.close();
    await (await broker!.security()).createAcls([
      {
        resourceType: 'CLUSTER',
        resourceName: 'kafka-cluster',
        patternType: 'LITERAL',
        principal: 'User:dave',
        host: '*',
        operation: 'DESCRIBE',
        permission: 'ALLOW',
      },
    ]);
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${port()}`],
      sasl: { mechanism: 'scram-sha-256', username: 'dave', password: 'dave-pw' },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await admin.connect();
    expect((await admin.describeCluster()).brokers).toHaveLength(1);
    await admin.disconnect();
  });
});

describe('max.connections.per.ip', () => {
  it('closes connections beyond the limit and takes new ones once others close', async () => {
    await start({ listeners: ['PLAINTEXT://127.0.0.1:0'], maxConnectionsPerIp: 2 });
    const first = await RawClient.connect(port());
    const second = await RawClient.connect(port());
    const third = await RawClient.connect(port());
    await third.closed;
    expect((await first.request(API.ApiVersions, 0, {})).errorCode).toBe(0);
    first.close();
    await first.closed;
    await new Promise((r) => setTimeout(r, 20));
    const fourth = await RawClient.connect(port());
    expect((await fourth.request(API.ApiVersions, 0, {})).errorCode).toBe(0);
    second.close();
    fourth.close();
  });
});

it('TLS material that does not parse is INVALID_CONFIG, without its content in the message', async () => {
  const err = await serve({
    storage: 'memory',
    listeners: ['SSL://127.0.0.1:0'],
    ssl: { cert: tls.serverCert, key: 'not a key SECRET-MATERIAL' },
    logLevel: 0,
  }).catch((e: unknown) => e as Error & { code: string });
  expect(err).toMatchObject({ code: 'INVALID_CONFIG' });
  expect((err as Error).message).not.toContain('SECRET-MATERIAL');
});

it('DescribeConfigs shows the listeners and security settings, a key passphrase as sensitive with no value', async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  broker = await serve({
    log,
    listeners: ['SASL_SSL://127.0.0.1:0', 'PLAINTEXT://127.0.0.1:0'],
    ssl: { cert: tls.serverCert, key: tls.serverKey, passphrase: 'KEY-PASS-SECRET' },
    sasl: { mechanisms: ['SCRAM-SHA-512'] },
    authorizer: { superUsers: ['User:admin'], allowEveryoneIfNoAclFound: true },
    logLevel: 0,
  });
  const [saslSsl, plain] = broker.listeners();
  const admin = new Kafka({
    brokers: [`127.0.0.1:${plain!.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  await admin.connect();
  const { resources } = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }],
    includeSynonyms: false,
  });
  await admin.disconnect();
  const byName = new Map(resources[0]!.configEntries.map((c) => [c.configName, c]));
  expect(byName.get('listeners')?.configValue).toBe(
    `SASL_SSL://127.0.0.1:${saslSsl!.port},PLAINTEXT://127.0.0.1:${plain!.port}`,
  );
  expect(byName.get('sasl.enabled.mechanisms')?.configValue).toBe('SCRAM-SHA-512');
  expect(byName.get('super.users')?.configValue).toBe('User:admin');
  expect(byName.get('ssl.key.password')).toMatchObject({ configValue: null, isSensitive: true });
  expect(JSON.stringify(resources)).not.toContain('KEY-PASS-SECRET');
});
