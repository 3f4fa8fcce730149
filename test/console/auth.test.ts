import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { buildConsoleApp, type ConsoleApp, startConsole } from '../../src/console/index.ts';
import { consoleAction } from '../../src/console/auth.ts';
import { openLog } from '../../src/log/index.ts';
import type { LogBackend } from '../../src/log/backend.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const TLS_DIR = join(import.meta.dirname, '../broker/security/tls');

describe('console authentication and roles', () => {
  let log: LogBackend;
  let console_: ConsoleApp;

  beforeEach(async () => {
    log = await openLog({ storage: 'memory', clock: new ManualClock(0), maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 't', numPartitions: 1 });
    console_ = buildConsoleApp({
      log,
      auth: {
        users: [
          { username: 'viewer', password: 'v-pass', role: 'read' },
          { username: 'dev', password: 'd-pass', role: 'write' },
          { username: 'ops', password: 'o-pass', role: 'admin' },
        ],
        tokens: [{ token: 'token-0123456789abcdef', name: 'ci', role: 'write' }],
      },
    });
  });
  afterEach(async () => {
    await console_.close();
    await log.close();
  });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, authorization?: string, payload?: object) =>
    console_.app.inject({
      method,
      url,
      headers: { host: 'localhost', ...(authorization === undefined ? {} : { authorization }) },
      ...(payload === undefined ? {} : { payload }),
    });

  it('asks for credentials on every page and API call, and never says which part was wrong', async () => {
    for (const url of ['/', '/app.js', '/api/overview', '/metrics']) {
      const res = await call('GET', url);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="Tributary console"/);
    }
    const wrongPassword = await call('GET', '/api/topics', basic('viewer', 'nope'));
    const unknownUser = await call('GET', '/api/topics', basic('nobody', 'v-pass'));
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownUser.json()).toEqual(wrongPassword.json());
    expect(wrongPassword.body).not.toContain('v-pass');
  });

  it('lets read browse, write produce and reset, admin delete and change configs', async () => {
    const viewer = basic('viewer', 'v-pass');
    const dev = basic('dev', 'd-pass');
    const ops = basic('ops', 'o-pass');
    expect((await call('GET', '/api/topics/t/messages', viewer)).statusCode).toBe(200);
    expect((await call('POST', '/api/topics/t/messages', viewer, { value: 'x' })).statusCode).toBe(403);
    expect((await call('POST', '/api/topics/t/messages', dev, { value: 'x' })).statusCode).toBe(201);
    expect(
      (await call('POST', '/api/topics/t/messages', 'Bearer token-0123456789abcdef', { value: 'y' })).statusCode,
    ).toBe(201);
    // A reset's preview reads; applying it writes.
    expect((await call('POST', '/api/groups/g/reset', viewer, { topic: 't', to: 'earliest' })).statusCode).toBe(200);
    expect(
      (await call('POST', '/api/groups/g/reset', viewer, { topic: 't', to: 'earliest', apply: true })).statusCode,
    ).toBe(403);
    expect(
      (await call('POST', '/api/groups/g/reset', dev, { topic: 't', to: 'earliest', apply: true })).statusCode,
    ).toBe(200);
    expect((await call('PUT', '/api/topics/t/configs', dev, { configs: { 'retention.ms': '1' } })).statusCode).toBe(
      403,
    );
    expect((await call('DELETE', '/api/topics/t', dev, { confirm: 't' })).statusCode).toBe(403);
    expect((await call('PUT', '/api/topics/t/configs', ops, { configs: { 'retention.ms': '1' } })).statusCode).toBe(
      200,
    );
    expect((await call('DELETE', '/api/topics/t', ops, { confirm: 't' })).statusCode).toBe(200);
  });

  it('maps registry calls to the registry roles', () => {
    expect(consoleAction('GET', '/api/registry/subjects')).toMatchObject({ role: 'read' });
    expect(consoleAction('POST', '/api/registry/compatibility/subjects/a-value/versions/latest')).toMatchObject({
      role: 'read',
      subject: 'a-value',
    });
    expect(consoleAction('POST', '/api/registry/subjects/a-value/versions')).toMatchObject({
      role: 'write',
      subject: 'a-value',
    });
    expect(consoleAction('DELETE', '/api/registry/subjects/a-value?permanent=true')).toMatchObject({ role: 'admin' });
    expect(consoleAction('PUT', '/api/registry/config')).toMatchObject({ role: 'admin' });
  });
});

describe('console over HTTPS', () => {
  it('serves the page and the API over TLS with the given certificate', { timeout: 30_000 }, async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    const server = await startConsole({
      log,
      port: 0,
      tls: { cert: readFileSync(join(TLS_DIR, 'server-cert.pem')), key: readFileSync(join(TLS_DIR, 'server-key.pem')) },
      auth: { users: [{ username: 'ops', password: 'o-pass', role: 'admin' }] },
    });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const { request } = await import('node:https');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${server.url}/api/overview`,
          {
            ca: readFileSync(join(TLS_DIR, 'ca-cert.pem')),
            servername: 'localhost',
            headers: { authorization: basic('ops', 'o-pass'), host: 'localhost' },
            checkServerIdentity: () => undefined,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
    } finally {
      await server.close();
      await log.close();
    }
  });
});
