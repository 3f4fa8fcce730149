import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../../src/broker/index.ts';
import type { SslClientAuth } from '../../../src/broker/security/listeners.ts';
import { type EmbeddedLogBackend, openLog } from '../../../src/log/index.ts';
import { CLIENT_CERT_PRINCIPAL, tls } from './fixtures.ts';

let log: EmbeddedLogBackend | undefined;
let broker: Broker | undefined;

afterEach(async () => {
  await broker?.close();
  await log?.close();
  broker = undefined;
  log = undefined;
});

async function sslBroker(clientAuth: SslClientAuth): Promise<Broker> {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'alice-topic' });
  await log.createTopic({ topic: 'other-topic' });
  broker = await serve({
    log,
    listeners: ['SSL://127.0.0.1:0'],
    ssl: {
      certFile: `${tls.dir}/server-cert.pem`,
      keyFile: `${tls.dir}/server-key.pem`,
      caFile: `${tls.dir}/ca-cert.pem`,
      clientAuth,
    },
    authorizer: { superUsers: [] },
    logLevel: 0,
  });
  const store = await broker.security();
  // Only the certificate's principal may see alice-topic; anonymous clients may see other-topic.
  await store.createAcls([
    {
      resourceType: 'TOPIC',
      resourceName: 'alice-topic',
      patternType: 'LITERAL',
      principal: CLIENT_CERT_PRINCIPAL,
      host: '*',
      operation: 'DESCRIBE',
      permission: 'ALLOW',
    },
    {
      resourceType: 'TOPIC',
      resourceName: 'other-topic',
      patternType: 'LITERAL',
      principal: 'User:ANONYMOUS',
      host: '*',
      operation: 'DESCRIBE',
      permission: 'ALLOW',
    },
  ]);
  return broker;
}

async function topicsSeen(ssl: object): Promise<string[]> {
  const kafka = new Kafka({
    brokers: [`127.0.0.1:${broker!.address().port}`],
    ssl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 3000,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return (await admin.listTopics()).sort();
  } finally {
    await admin.disconnect();
  }
}

describe('SSL listener', () => {
  it('mTLS: the principal is the certificate subject (User:CN=alice,O=Acme,C=US)', async () => {
    await sslBroker('required');
    expect(await topicsSeen({ ca: [tls.ca], cert: tls.clientCert, key: tls.clientKey })).toEqual(['alice-topic']);
  });

  it('required: a client without a certificate, or with one from another CA, is refused', async () => {
    await sslBroker('required');
    await expect(topicsSeen({ ca: [tls.ca] })).rejects.toThrow();
    await expect(topicsSeen({ ca: [tls.ca], cert: tls.rogueCert, key: tls.rogueKey })).rejects.toThrow();
  });

  it('requested: no certificate is User:ANONYMOUS; one from another CA is refused', async () => {
    await sslBroker('requested');
    expect(await topicsSeen({ ca: [tls.ca] })).toEqual(['other-topic']);
    expect(await topicsSeen({ ca: [tls.ca], cert: tls.clientCert, key: tls.clientKey })).toEqual(['alice-topic']);
    await expect(topicsSeen({ ca: [tls.ca], cert: tls.rogueCert, key: tls.rogueKey })).rejects.toThrow();
  });

  it('none: every client is User:ANONYMOUS', async () => {
    await sslBroker('none');
    expect(await topicsSeen({ ca: [tls.ca], cert: tls.clientCert, key: tls.clientKey })).toEqual(['other-topic']);
  });
});

describe('listener configuration', () => {
  it('refuses a TLS listener without certificate and key, and unknown protocols', async () => {
    await expect(serve({ storage: 'memory', listeners: ['SSL://127.0.0.1:0'], logLevel: 0 })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
    await expect(serve({ storage: 'memory', listeners: ['HTTP://127.0.0.1:0'], logLevel: 0 })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
    await expect(
      serve({ storage: 'memory', listeners: ['PLAINTEXT://127.0.0.1:0', 'PLAINTEXT://127.0.0.1:0'], logLevel: 0 }),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });

  it('advertises each listener’s own endpoint (advertisedListeners by name)', async () => {
    log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    broker = await serve({
      log,
      listeners: ['PLAINTEXT://127.0.0.1:0', 'SSL://127.0.0.1:0'],
      advertisedListeners: ['SSL://broker.example:9093'],
      ssl: { cert: tls.serverCert, key: tls.serverKey },
      logLevel: 0,
    });
    const [plain, ssl] = broker.listeners();
    expect(plain).toMatchObject({ name: 'PLAINTEXT', advertised: { host: '127.0.0.1', port: plain!.port } });
    expect(ssl).toMatchObject({ name: 'SSL', protocol: 'SSL', advertised: { host: 'broker.example', port: 9093 } });
  });
});
