import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleRegistry, SchemaRegistry } from '../../schema-registry/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { buildConsoleApp, CONTENT_SECURITY_POLICY, type ConsoleApp } from '../../src/console/index.ts';
import { openLog } from '../../src/log/index.ts';
import type { LogBackend } from '../../src/log/backend.ts';
import { Tributary } from '../../src/index.ts';

describe('console API', () => {
  let log: LogBackend;
  let clock: ManualClock;
  let tributary: Tributary;
  let console_: ConsoleApp;

  const get = async (url: string) => {
    const res = await console_.app.inject({ method: 'GET', url, headers: { host: '127.0.0.1:8080' } });
    return {
      status: res.statusCode,
      body: res.headers['content-type']?.toString().includes('json') ? res.json() : res.body,
      headers: res.headers,
    };
  };
  const send = async (method: 'POST' | 'PUT' | 'DELETE', url: string, payload: unknown) => {
    const res = await console_.app.inject({
      method,
      url,
      payload: payload as object,
      headers: { host: 'localhost:8080' },
    });
    return { status: res.statusCode, body: res.json() };
  };

  beforeEach(async () => {
    clock = new ManualClock(1_700_000_000_000);
    log = await openLog({ storage: 'memory', clock, maintenanceIntervalMs: 0 });
    tributary = new Tributary({ log, clock, logLevel: 0 });
    console_ = buildConsoleApp({ log, tributary, clock });
  });

  afterEach(async () => {
    await console_.close();
    await tributary.close();
    await log.close();
  });

  it('creates, lists, describes, alters and deletes topics', async () => {
    expect(
      (
        await send('POST', '/api/topics', {
          topic: 'orders',
          numPartitions: 3,
          configs: { 'cleanup.policy': 'compact' },
        })
      ).status,
    ).toBe(201);
    expect((await send('POST', '/api/topics', { topic: 'orders' })).body.error).toBe('TOPIC_ALREADY_EXISTS');
    const list = await get('/api/topics');
    expect(list.body.topics).toEqual([
      expect.objectContaining({ name: 'orders', partitions: 3, records: 0, cleanupPolicy: 'compact', internal: false }),
    ]);
    const one = await get('/api/topics/orders');
    expect(one.body.partitionList).toHaveLength(3);
    expect(one.body.configs).toContainEqual({ name: 'cleanup.policy', value: 'compact', override: true });
    expect(one.body.configs).toContainEqual(expect.objectContaining({ name: 'retention.ms', override: false }));
    expect((await send('PUT', '/api/topics/orders/configs', { configs: { 'retention.ms': '1000' } })).status).toBe(200);
    expect((await get('/api/topics/orders')).body.configs).toContainEqual({
      name: 'retention.ms',
      value: '1000',
      override: true,
    });
    const refused = await send('DELETE', '/api/topics/orders', {});
    expect(refused).toMatchObject({ status: 400, body: { error: 'CONFIRMATION_REQUIRED' } });
    expect((await send('DELETE', '/api/topics/orders', { confirm: 'orders' })).status).toBe(200);
    expect((await get('/api/topics/orders')).status).toBe(404);
  });

  it('answers bad input with a 4xx and a code, never a crash', async () => {
    await send('POST', '/api/topics', { topic: 't', numPartitions: 1 });
    expect((await get('/api/topics/nope/messages')).body.error).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect((await get('/api/topics/t/messages?from=offset&offset=99')).status).toBe(416);
    expect((await get('/api/topics/t/messages?partition=7')).status).toBe(404);
    expect((await get('/api/topics/t/messages?limit=abc')).status).toBe(400);
    expect((await send('POST', '/api/topics', { topic: 'bad/name' })).body.error).toBe('INVALID_TOPIC_EXCEPTION');
    expect((await send('POST', '/api/topics/t/messages', { value: 'x'.repeat(1024 * 1024 + 1) })).status).toBe(413);
    expect((await get('/api/no/such/route')).body.error).toBe('NOT_FOUND');
    expect((await get('/api/groups/none')).status).toBe(404);
  });

  it('produces from the page and browses from the beginning, an offset, a timestamp and the end', async () => {
    await send('POST', '/api/topics', { topic: 't', numPartitions: 2 });
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      const res = await send('POST', '/api/topics/t/messages', {
        key: `k${i}`,
        value: JSON.stringify({ n: i }),
        headers: { source: 'console' },
        partition: i % 2,
      });
      expect(res.status).toBe(201);
    }
    const all = await get('/api/topics/t/messages?from=beginning&limit=100');
    expect(all.body.records).toHaveLength(10);
    expect(all.body.records[0]).toMatchObject({
      partition: 0,
      offset: 0,
      key: { format: 'string', text: 'k0' },
      value: { format: 'json', text: '{"n":0}' },
      headers: [{ key: 'source', value: { format: 'string', text: 'console' } }],
    });
    const p1 = await get('/api/topics/t/messages?partition=1&from=offset&offset=2&limit=2');
    expect(p1.body.records.map((r: { key: { text: string } }) => r.key.text)).toEqual(['k5', 'k7']);
    expect(p1.body.next).toBe('1:4');
    const more = await get(`/api/topics/t/messages?partition=1&limit=2&next=${p1.body.next}`);
    expect(more.body.records.map((r: { key: { text: string } }) => r.key.text)).toEqual(['k9']);
    const byTime = await get(`/api/topics/t/messages?from=timestamp&timestamp=${1_700_000_000_000 + 8000}`);
    expect(byTime.body.records.map((r: { key: { text: string } }) => r.key.text)).toEqual(['k7', 'k8', 'k9']);
    const end = await get('/api/topics/t/messages?from=end&limit=2');
    expect(end.body.records.map((r: { key: { text: string } }) => r.key.text)).toEqual(['k8', 'k9']);
    const search = await get('/api/topics/t/messages?from=beginning&q=%22N%22:3');
    expect(search.body.records.map((r: { key: { text: string } }) => r.key.text)).toEqual(['k3']);
  });

  it('decodes binary as hex and registry-framed values by their schema', async () => {
    const registry = await SchemaRegistry.open(log);
    await console_.close();
    console_ = buildConsoleApp({ log, tributary, clock, registry: consoleRegistry(registry) });
    const schema = JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }] });
    const { id } = await registry.register('users-value', { schema });
    const { avroSerde } = await import('../../schema-registry/index.ts');
    const serde = await avroSerde({ registry, schema, topics: ['users'] });
    await log.createTopic({ topic: 'users', numPartitions: 1 });
    await log.append('users', 0, [
      { key: Buffer.from([0xff, 0x00, 0x01]), value: Buffer.from(serde.serialize('users', { name: '<b>Ada</b>' })!) },
    ]);
    const res = await get('/api/topics/users/messages?from=beginning');
    expect(res.body.records[0].key).toEqual({ format: 'hex', text: 'ff0001', size: 3 });
    expect(res.body.records[0].value).toMatchObject({ format: 'avro', text: '{"name":"<b>Ada</b>"}', schemaId: id });
    expect(id).toBeGreaterThan(0);
    const subjects = await get('/api/registry/subjects');
    expect(subjects.body).toEqual(['users-value']);
    // Produced from the page as JSON, written with the subject's latest schema, read back decoded.
    const sent = await send('POST', '/api/topics/users/messages', { value: '{"name":"Grace"}', valueFormat: 'schema' });
    expect(sent.status).toBe(201);
    const back = await get(`/api/topics/users/messages?from=offset&offset=${sent.body.offset}`);
    expect(back.body.records[0].value).toMatchObject({ format: 'avro', text: '{"name":"Grace"}', schemaId: id });
    expect(
      (await send('POST', '/api/topics/users/messages', { value: '{"nam', valueFormat: 'schema' })).body.error,
    ).toBe('SERIALIZATION_ERROR');
    expect(
      (await send('POST', '/api/topics/users/messages', { value: '{"age":1}', valueFormat: 'schema' })).status,
    ).toBe(422);
    expect((await send('POST', '/api/topics/nokey/messages', { value: '{}', valueFormat: 'schema' })).status).toBe(404);
  });

  it('shows groups with lag, and resets offsets only for an empty group, previewing first', async () => {
    await send('POST', '/api/topics', { topic: 't', numPartitions: 1 });
    for (let i = 0; i < 5; i++) await send('POST', '/api/topics/t/messages', { value: `v${i}` });
    const admin = tributary.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'g', topic: 't', partitions: [{ partition: 0, offset: '2' }] });
    const groups = await get('/api/groups');
    expect(groups.body.groups).toEqual([expect.objectContaining({ groupId: 'g', lag: 3, members: 0 })]);
    const group = await get('/api/groups/g');
    expect(group.body.partitions).toEqual([
      expect.objectContaining({ topic: 't', partition: 0, committed: 2, end: 5, lag: 3 }),
    ]);
    const preview = await send('POST', '/api/groups/g/reset', { topic: 't', to: 'earliest' });
    expect(preview.body).toMatchObject({ applied: false, partitions: [{ partition: 0, from: 2, to: 0 }] });
    expect((await get('/api/groups/g')).body.totalLag).toBe(3);
    const clamped = await send('POST', '/api/groups/g/reset', { topic: 't', to: 'offset', value: 99, apply: true });
    expect(clamped.body).toMatchObject({ applied: true, partitions: [{ partition: 0, to: 5 }] });
    expect((await get('/api/groups/g')).body.totalLag).toBe(0);
    await admin.disconnect();
  });

  it('refuses every change when read-only', async () => {
    await console_.close();
    console_ = buildConsoleApp({ log, tributary, clock, readOnly: true });
    expect((await send('POST', '/api/topics', { topic: 't' })).body.error).toBe('READ_ONLY');
    await log.createTopic({ topic: 't', numPartitions: 1 });
    expect((await send('POST', '/api/topics/t/messages', { value: 'x' })).status).toBe(403);
    expect((await send('DELETE', '/api/topics/t', { confirm: 't' })).status).toBe(403);
    expect((await get('/api/overview')).body.readOnly).toBe(true);
  });

  it('sends a CSP without inline scripts, and refuses foreign Host headers (DNS rebinding)', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(String(page.body)).not.toMatch(/<script>(?!<)/);
    const foreign = await console_.app.inject({
      method: 'GET',
      url: '/api/overview',
      headers: { host: 'attacker.example' },
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error).toBe('HOST_NOT_ALLOWED');
  });

  it('serves Prometheus metrics with rates from clock-driven samples', async () => {
    await send('POST', '/api/topics', { topic: 'a"b', numPartitions: 1 }).catch(() => undefined);
    await send('POST', '/api/topics', { topic: 'm', numPartitions: 1 });
    await console_.metrics.sample();
    for (let i = 0; i < 10; i++) await send('POST', '/api/topics/m/messages', { value: 'x' });
    clock.advance(5000);
    await console_.metrics.sample();
    const text = String((await get('/metrics')).body);
    expect(text).toContain('# TYPE tributary_partition_high_watermark gauge');
    expect(text).toContain('tributary_partition_high_watermark{topic="m",partition="0"} 10');
    expect(console_.metrics.points().at(-1)?.inPerSec).toBe(2);
    expect((await get('/api/topics')).body.topics).toContainEqual(
      expect.objectContaining({ name: 'm', lastWrite: clock.now() }),
    );
    expect(text).toMatch(
      /tributary_console_request_duration_seconds_count\{route="\/api\/topics\/:topic\/messages"\} 10/,
    );
  });
});
