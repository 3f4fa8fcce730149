import { connect as tlsConnect } from 'node:tls';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../../src/broker/index.ts';
import { type EmbeddedLogBackend, openLog } from '../../../src/log/index.ts';
import { API } from '../../../src/protocol/messages/index.ts';
import { RawClient } from '../raw-client.ts';
import { captureLogs, tls, unsecuredJwt } from './fixtures.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

let log: EmbeddedLogBackend;
let broker: Broker;
const logs = captureLogs();
const PASSWORD = 'alice-very-secret-pw';
const port = (name: string) => broker.listeners().find((l) => l.name === name)!.port;

beforeAll(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'orders' });
  broker = await serve({
    log,
    listeners: ['SASL_SSL://127.0.0.1:0', 'SASL_PLAINTEXT://127.0.0.1:0', 'PLAINTEXT://127.0.0.1:0'],
    ssl: { cert: tls.serverCert, key: tls.serverKey },
    sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'], failedAuthenticationDelayMs: 20 },
    logLevel: 4,
    logCreator: logs.logCreator,
    groupInitialRebalanceDelayMs: 0,
  });
  const store = await broker.security();
  await store.upsertScram('alice', 'SCRAM-SHA-256', PASSWORD);
  await store.upsertScram('alice', 'SCRAM-SHA-512', PASSWORD, { iterations: 8192 });
});

afterAll(async () => {
  await broker.close();
  await log.close();
});

function kafkaOver(listener: string, sasl: SASLOptions | undefined, ssl = listener.endsWith('SSL')) {
  return new Kafka({
    clientId: 'sec',
    brokers: [`127.0.0.1:${port(listener)}`],
    ssl: ssl ? { ca: [tls.ca] } : false,
    sasl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 3000,
  });
}

async function roundTrip(kafka: Kafka): Promise<string> {
  const producer = kafka.producer();
  await producer.connect();
  const value = `v-${Math.random()}`;
  await producer.send({ topic: 'orders', messages: [{ value }] });
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const topics = await admin.listTopics();
  await admin.disconnect();
  expect(topics).toContain('orders');
  return value;
}

const token = (exp: number) => unsecuredJwt({ sub: 'carol', iat: Math.floor(Date.now() / 1000) - 10, exp });

describe('kafkajs authenticates over TLS with each mechanism', () => {
  it.each([
    ['plain', { mechanism: 'plain', username: 'alice', password: PASSWORD }],
    ['scram-sha-256', { mechanism: 'scram-sha-256', username: 'alice', password: PASSWORD }],
    ['scram-sha-512', { mechanism: 'scram-sha-512', username: 'alice', password: PASSWORD }],
    [
      'oauthbearer',
      {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({ value: token(Math.floor(Date.now() / 1000) + 3600) }),
      },
    ],
  ] as [string, SASLOptions][])('%s over SASL_SSL', async (_name, sasl) => {
    await roundTrip(kafkaOver('SASL_SSL', sasl));
  });

  it('SCRAM-SHA-512 over SASL_PLAINTEXT too, and the advertised endpoint is the listener’s own', async () => {
    const kafka = kafkaOver('SASL_PLAINTEXT', { mechanism: 'scram-sha-512', username: 'alice', password: PASSWORD });
    const admin = kafka.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    expect(cluster.brokers[0]).toMatchObject({ host: '127.0.0.1', port: port('SASL_PLAINTEXT') });
  });
});

describe('refusals', () => {
  const refused = async (kafka: Kafka) => {
    // kafkajs takes OAUTHBEARER's error challenge for success (it never sends the closing 0x01), so
    // its refusal shows at the next request, on a connection the broker closed.
    const admin = kafka.admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect();
  };

  it.each([
    ['wrong password, SCRAM-SHA-512', { mechanism: 'scram-sha-512', username: 'alice', password: 'nope' }],
    ['wrong password, SCRAM-SHA-256', { mechanism: 'scram-sha-256', username: 'alice', password: 'nope' }],
    ['wrong password, PLAIN', { mechanism: 'plain', username: 'alice', password: 'nope' }],
    ['unknown user, SCRAM', { mechanism: 'scram-sha-256', username: 'bob', password: PASSWORD }],
    ['unknown user, PLAIN', { mechanism: 'plain', username: 'bob', password: PASSWORD }],
    [
      'expired token',
      {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({ value: token(Math.floor(Date.now() / 1000) - 5) }),
      },
    ],
  ] as [string, SASLOptions][])('%s', async (_name, sasl) => {
    await refused(kafkaOver('SASL_SSL', sasl));
  });

  it('a PLAINTEXT client on a SASL listener is closed at its first request other than ApiVersions', async () => {
    const client = await RawClient.connect(port('SASL_PLAINTEXT'));
    const versions = await client.request(API.ApiVersions, 0, {});
    expect(versions.errorCode).toBe(0);
    await expect(client.request(API.Metadata, 1, { topics: null })).rejects.toThrow(/closed/);
    await client.closed;
  });

  it('a PLAINTEXT client on a SASL_SSL listener never gets past TLS', async () => {
    const client = await RawClient.connect(port('SASL_SSL'));
    await expect(client.request(API.ApiVersions, 0, {})).rejects.toThrow(/closed/);
  });

  it('an unknown mechanism gets the enabled list, then the connection closes', async () => {
    const client = await RawClient.connect(port('SASL_PLAINTEXT'));
    const answer = await client.request(API.SaslHandshake, 1, { mechanism: 'GSSAPI' });
    expect(answer).toEqual({ errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] });
    await client.closed;
  });

  it('a failed SaslAuthenticate is answered after the delay, then the connection closes', async () => {
    const client = await RawClient.connect(port('SASL_PLAINTEXT'));
    await client.request(API.SaslHandshake, 1, { mechanism: 'PLAIN' });
    const started = Date.now();
    const answer = await client.request(API.SaslAuthenticate, 1, {
      authBytes: Buffer.from(`\0alice\0wrong-password-42`),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(answer.errorCode).toBe(58);
    expect(answer.errorMessage).toMatch(/Invalid username or password/);
    expect(answer.errorMessage).not.toContain('wrong-password-42');
    await client.closed;
  });

  it('an expired token gets RFC 7628’s error challenge, then SASL_AUTHENTICATION_FAILED after 0x01', async () => {
    const client = await RawClient.connect(port('SASL_PLAINTEXT'));
    await client.request(API.SaslHandshake, 1, { mechanism: 'OAUTHBEARER' });
    const sep = String.fromCharCode(1);
    const first = await client.request(API.SaslAuthenticate, 1, {
      authBytes: Buffer.from(`n,,${sep}auth=Bearer ${token(Math.floor(Date.now() / 1000) - 5)}${sep}${sep}`),
    });
    expect(first.errorCode).toBe(0);
    expect(JSON.parse(Buffer.from(first.authBytes).toString())).toEqual({ status: 'invalid_token' });
    const second = await client.request(API.SaslAuthenticate, 1, { authBytes: Buffer.from([1]) });
    expect(second.errorCode).toBe(58);
    await client.closed;
  });

  it('the plaintext PLAIN listener still serves clients without SASL', async () => {
    await roundTrip(kafkaOver('PLAINTEXT', undefined, false));
  });
});

describe('SaslHandshake v0 and raw tokens', () => {
  it('PLAIN as a raw size-prefixed token, then Kafka requests', async () => {
    const client = await RawClient.connect(port('SASL_PLAINTEXT'));
    const hs = await client.request(API.SaslHandshake, 0, { mechanism: 'PLAIN' });
    expect(hs.errorCode).toBe(0);
    const token = Buffer.from(`\0alice\0${PASSWORD}`);
    const frame = Buffer.alloc(4 + token.length);
    frame.writeInt32BE(token.length);
    token.copy(frame, 4);
    const answer = client.expect<Buffer>((f) => Buffer.from(f));
    client.write(frame);
    expect((await answer).length).toBe(0);
    const md = await client.request(API.Metadata, 1, { topics: null });
    expect(md.topics.map((t) => t.name)).toContain('orders');
    client.close();
  });

  it('a wrong raw token closes the connection without an answer', async () => {
    const client = await RawClient.connect(port('SASL_PLAINTEXT'));
    await client.request(API.SaslHandshake, 0, { mechanism: 'PLAIN' });
    const token = Buffer.from('\0alice\0nope');
    const frame = Buffer.alloc(4 + token.length);
    frame.writeInt32BE(token.length);
    token.copy(frame, 4);
    client.write(frame);
    await client.closed;
    expect(client.unexpected).toEqual([]);
  });
});

describe('what the broker logged', () => {
  it('no stack traces and no password after all of the above', async () => {
    const text = JSON.stringify(logs.entries);
    expect(logs.entries.some((e) => e.log.message === 'Failed authentication')).toBe(true);
    expect(text).not.toMatch(/\n\s+at /);
    expect(text).not.toContain('stack');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('wrong-password-42');
  });
});

it('the TLS listener refuses a client that does not trust its CA', async () => {
  const socket = tlsConnect({ host: '127.0.0.1', port: port('SASL_SSL'), ca: [tls.otherCa] });
  await expect(
    new Promise((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    }),
  ).rejects.toThrow(/self-signed|unable to verify|certificate/i);
  socket.destroy();
});
