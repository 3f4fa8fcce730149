import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../../src/broker/index.ts';
import { Tributary, type TributaryConfig } from '../../../src/client/tributary.ts';
import { type EmbeddedLogBackend, openLog } from '../../../src/log/index.ts';
import { tls, unsecuredJwt } from '../../broker/security/fixtures.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
const PASSWORD = 'wire-secret-pw';
const port = (name: string) => broker.listeners().find((l) => l.name === name)!.port;

beforeAll(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'wire-sec' });
  broker = await serve({
    log,
    listeners: ['SASL_SSL://127.0.0.1:0', 'SSL://127.0.0.1:0'],
    ssl: { cert: tls.serverCert, key: tls.serverKey, ca: tls.ca, clientAuth: 'requested' },
    sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'], failedAuthenticationDelayMs: 10 },
    authorizer: { superUsers: ['User:alice', 'User:carol', 'User:CN=alice,O=Acme,C=US'] },
    logLevel: 0,
    groupInitialRebalanceDelayMs: 0,
  });
  const store = await broker.security();
  await store.upsertScram('alice', 'SCRAM-SHA-256', PASSWORD);
  await store.upsertScram('alice', 'SCRAM-SHA-512', PASSWORD);
});

afterAll(async () => {
  await broker.close();
  await log.close();
});

function client(listener: string, extra: Partial<TributaryConfig>): Tributary {
  return new Tributary({
    clientId: 'wire-sec',
    brokers: [`127.0.0.1:${port(listener)}`],
    ssl: { ca: [tls.ca] },
    logLevel: 0,
    retry: { retries: 0 },
    ...extra,
  });
}

async function produceAndConsume(tributary: Tributary): Promise<void> {
  const producer = tributary.producer();
  await producer.connect();
  const value = `v-${Math.random()}`;
  await producer.send({ topic: 'wire-sec', messages: [{ value }] });
  await producer.disconnect();
  const admin = tributary.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets('wire-sec');
  await admin.disconnect();
  expect(Number(offsets[0]!.high)).toBeGreaterThan(0);
}

const jwt = (expInSeconds: number) =>
  unsecuredJwt({
    sub: 'carol',
    iat: Math.floor(Date.now() / 1000) - 5,
    exp: Math.floor(Date.now() / 1000) + expInSeconds,
  });

describe('the wire client authenticates as kafkajs does', () => {
  it.each([
    ['plain', { mechanism: 'plain', username: 'alice', password: PASSWORD }],
    ['scram-sha-256', { mechanism: 'scram-sha-256', username: 'alice', password: PASSWORD }],
    ['scram-sha-512', { mechanism: 'scram-sha-512', username: 'alice', password: PASSWORD }],
    ['oauthbearer', { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: jwt(3600) }) }],
  ] as [string, TributaryConfig['sasl']][])('%s over SASL_SSL', async (_name, sasl) => {
    const tributary = client('SASL_SSL', { sasl });
    try {
      await produceAndConsume(tributary);
    } finally {
      await tributary.close();
    }
  });

  it('mTLS on an SSL listener: the certificate is the principal', async () => {
    const tributary = client('SSL', { ssl: { ca: [tls.ca], cert: tls.clientCert, key: tls.clientKey } });
    try {
      await produceAndConsume(tributary);
    } finally {
      await tributary.close();
    }
  });
});

describe('refusals are typed, not retried, and carry no secret', () => {
  const refusal = async (listener: string, extra: Partial<TributaryConfig>) => {
    const tributary = client(listener, { retry: { retries: 5, initialRetryTime: 50 }, ...extra });
    const admin = tributary.admin();
    const started = Date.now();
    const err = await admin.connect().then(
      () => admin.listTopics().then(() => undefined),
      (e: unknown) => e,
    );
    await tributary.close();
    return { err: err as { code?: string; message: string } | undefined, ms: Date.now() - started };
  };

  it('a wrong password is SASL_AUTHENTICATION_FAILED with the broker’s message', async () => {
    const { err, ms } = await refusal('SASL_SSL', {
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'not-the-password-42' },
    });
    expect(err?.code).toBe('SASL_AUTHENTICATION_FAILED');
    expect(err?.message).toMatch(/Invalid client credentials|Authentication failed/);
    expect(err?.message).not.toContain('not-the-password-42');
    expect(ms).toBeLessThan(2000);
  });

  it('an unknown user with PLAIN', async () => {
    const { err } = await refusal('SASL_SSL', { sasl: { mechanism: 'plain', username: 'nobody', password: 'x' } });
    expect(err?.code).toBe('SASL_AUTHENTICATION_FAILED');
  });

  it('an expired token', async () => {
    const { err } = await refusal('SASL_SSL', {
      sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: jwt(-10) }) },
    });
    expect(err?.code).toBe('SASL_AUTHENTICATION_FAILED');
  });

  it('a mechanism the client does not implement is INVALID_CLIENT_CONFIG', async () => {
    const { err } = await refusal('SASL_SSL', {
      sasl: { mechanism: 'aws', authorizationIdentity: 'x', accessKeyId: 'a', secretAccessKey: 'b' },
    });
    expect(err?.code).toBe('INVALID_CLIENT_CONFIG');
  });

  it('a client certificate from another CA never gets past TLS', async () => {
    const { err } = await refusal('SSL', { ssl: { ca: [tls.ca], cert: tls.rogueCert, key: tls.rogueKey } });
    expect(err?.code).toBe('CONNECTION_ERROR');
  });

  it('a client that does not trust the broker’s CA refuses it', async () => {
    const { err } = await refusal('SSL', { ssl: { ca: [tls.otherCa] } });
    expect(err?.code).toBe('CONNECTION_ERROR');
  });
});
