import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { type RegistryServer, startRegistryServer } from '../../schema-registry/index.ts';
import { openLog } from '../../src/log/index.ts';
import { registryAction } from '../../schema-registry/http/auth.ts';
import { allows, HttpAuthenticator } from '../../src/security/http.ts';
import { tls } from '../broker/security/fixtures.ts';

const SCHEMA = JSON.stringify({ schema: '{"type":"string"}' });
const TOKEN = 'tok-0123456789abcdef-reader';
let server: RegistryServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: Parameters<typeof startRegistryServer>[1] = {}): Promise<RegistryServer> {
  const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  server = await startRegistryServer(log, {
    port: 0,
    auth: {
      users: [
        { username: 'admin', password: 'admin-pw', role: 'admin' },
        { username: 'orders-ci', password: 'ci-pw', role: 'write', subjects: ['orders-'] },
        { username: 'viewer', password: 'viewer-pw', role: 'read' },
      ],
      tokens: [{ token: TOKEN, name: 'dashboards', role: 'read' }],
    },
    ...options,
  });
  return server;
}

const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

async function call(method: string, path: string, authorization?: string, body?: string, host?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/vnd.schemaregistry.v1+json' };
  if (authorization !== undefined) headers.authorization = authorization;
  // fetch never sends a Host of our choosing: node:http does.
  if (host !== undefined) {
    return new Promise<{ status: number; headers: Headers; body: unknown }>((resolve, reject) => {
      const req = httpRequest(`${server!.url}${path}`, { method, headers: { ...headers, host } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: new Headers(), body: undefined }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const res = await fetch(`${server!.url}${path}`, { method, headers, body });
  return { status: res.status, headers: res.headers, body: await res.json().catch(() => undefined) };
}

describe('registry authentication and roles', () => {
  it('an unauthenticated write is 401 with WWW-Authenticate: Basic realm="SchemaRegistry"', async () => {
    await start();
    const res = await call('POST', '/subjects/orders-value/versions', undefined, SCHEMA);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="SchemaRegistry"');
    expect(res.body).toEqual({ error_code: 401, message: 'Unauthorized' });
    expect((await call('POST', '/subjects/orders-value/versions', basic('admin', 'wrong'), SCHEMA)).status).toBe(401);
    expect((await call('POST', '/subjects/orders-value/versions', basic('nobody', 'x'), SCHEMA)).status).toBe(401);
    expect((await call('GET', '/subjects', 'Bearer not-a-token')).status).toBe(401);
  });

  it('roles: read reads, write registers within its subject prefixes, admin changes mode and hard-deletes', async () => {
    await start();
    expect((await call('POST', '/subjects/orders-value/versions', basic('orders-ci', 'ci-pw'), SCHEMA)).status).toBe(
      200,
    );
    const denied = await call('POST', '/subjects/payments-value/versions', basic('orders-ci', 'ci-pw'), SCHEMA);
    expect(denied).toMatchObject({
      status: 403,
      body: { error_code: 40301, message: 'User orders-ci is denied operation Write on Subject: payments-value' },
    });
    expect((await call('GET', '/subjects', `Bearer ${TOKEN}`)).body).toEqual(['orders-value']);
    expect((await call('GET', '/subjects/orders-value/versions/1', basic('viewer', 'viewer-pw'))).status).toBe(200);
    expect((await call('POST', '/subjects/orders-value/versions', basic('viewer', 'viewer-pw'), SCHEMA)).status).toBe(
      403,
    );
    expect((await call('PUT', '/mode', basic('orders-ci', 'ci-pw'), JSON.stringify({ mode: 'READONLY' }))).status).toBe(
      403,
    );
    expect((await call('DELETE', '/subjects/orders-value', basic('orders-ci', 'ci-pw'))).status).toBe(200);
    expect((await call('DELETE', '/subjects/orders-value?permanent=true', basic('orders-ci', 'ci-pw'))).status).toBe(
      403,
    );
    expect((await call('DELETE', '/subjects/orders-value?permanent=true', basic('admin', 'admin-pw'))).status).toBe(
      200,
    );
    expect((await call('PUT', '/mode', basic('admin', 'admin-pw'), JSON.stringify({ mode: 'READONLY' }))).status).toBe(
      200,
    );
  });

  it('anonymous read access when configured; writes still need credentials', async () => {
    await start({ auth: { users: [{ username: 'w', password: 'w-pw', role: 'write' }], anonymous: 'read' } });
    expect((await call('GET', '/subjects')).status).toBe(200);
    expect((await call('POST', '/subjects/x/versions', undefined, SCHEMA)).status).toBe(403);
  });
});

describe('Host allow-list (DNS rebinding)', () => {
  it('bound to loopback, a foreign Host gets 403 and the loopback names are answered', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    server = await startRegistryServer(log, { port: 0 });
    expect((await call('GET', '/subjects', undefined, undefined, 'attacker.example')).status).toBe(403);
    expect((await call('GET', '/subjects', undefined, undefined, `attacker.example:${server.port}`)).status).toBe(403);
    expect((await call('GET', '/subjects', undefined, undefined, `localhost:${server.port}`)).status).toBe(200);
    expect((await call('GET', '/subjects')).status).toBe(200);
  });

  it('an explicit list replaces the default', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    server = await startRegistryServer(log, { port: 0, allowedHosts: ['registry.example'] });
    expect((await call('GET', '/subjects', undefined, undefined, 'registry.example')).status).toBe(200);
    expect((await call('GET', '/subjects', undefined, undefined, `127.0.0.1:${server.port}`)).status).toBe(403);
  });
});

it('serves HTTPS with a certificate and key', async () => {
  const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  server = await startRegistryServer(log, { port: 0, tls: { cert: tls.serverCert, key: tls.serverKey } });
  expect(server.url).toMatch(/^https:/);
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpsRequest(`${server!.url}/subjects`, { ca: tls.ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(200);
});

describe('the model', () => {
  it('maps routes to actions', () => {
    expect(registryAction('POST', '/subjects/:subject', { subject: 's' }, {}).action).toBe('read');
    expect(registryAction('POST', '/compatibility/subjects/:subject/versions', { subject: 's' }, {}).action).toBe(
      'read',
    );
    expect(registryAction('POST', '/subjects/:subject/versions', { subject: 's' }, {}).action).toBe('write');
    expect(registryAction('DELETE', '/subjects/:subject', { subject: 's' }, { permanent: 'true' }).action).toBe(
      'admin',
    );
    expect(registryAction('PUT', '/config', {}, {}).action).toBe('admin');
  });

  it('a subject-limited role does global reads only', () => {
    const p = new HttpAuthenticator({
      users: [{ username: 'u', password: 'p', role: 'admin', subjects: ['a-'] }],
    }).authenticate(basic('u', 'p'))!;
    expect(allows(p, 'read', undefined)).toBe(true);
    expect(allows(p, 'admin', undefined)).toBe(false);
    expect(allows(p, 'admin', 'a-x')).toBe(true);
    expect(() => new HttpAuthenticator({ tokens: [{ token: 'short', role: 'read' }] })).toThrow(/16 characters/);
  });
});
