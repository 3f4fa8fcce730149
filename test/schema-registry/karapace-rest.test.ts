/**
 * Karapace's REST compatibility cases (tests/integration/test_schema_compatibility.py): a history of
 * Avro schemas, a level, and `POST /compatibility/subjects/{s}/versions/latest`. Where Karapace and
 * Confluent differ Tributary answers as Confluent: `latest` is checked alone whatever the level
 * (Confluent's CompatibilityResource checks the one version named), and a subject without versions is
 * compatible (200), not 404.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogBackend } from '../../src/index.ts';
import type { SchemaRegistry } from '../../schema-registry/registry.ts';
import { buildRegistryApp } from '../../schema-registry/server.ts';
import { memoryRegistry } from './helpers.ts';

const CT = 'application/vnd.schemaregistry.v1+json';
const withField = (type: string) =>
  JSON.stringify({ type: 'record', name: 'schema_name', fields: [{ type, name: 'field_name' }] });

type History = 'int, long' | 'string, double' | 'string, double, long deleted' | 'none';

const histories: Record<History, { schemas: string[]; deleteLatest: boolean }> = {
  'int, long': { schemas: [withField('int'), withField('long')], deleteLatest: false },
  'string, double': { schemas: [withField('string'), withField('double')], deleteLatest: false },
  'string, double, long deleted': {
    schemas: [withField('string'), withField('double'), withField('long')],
    deleteLatest: true,
  },
  none: { schemas: [], deleteLatest: false },
};

// [case, level, history, new field type, Karapace's answer (status, is_compatible), Tributary's (as Confluent)]
const cases: [string, string, History, string, [number, boolean | undefined], [number, boolean]][] = [
  ['case0', 'BACKWARD', 'int, long', 'long', [200, true], [200, true]],
  ['case1', 'BACKWARD_TRANSITIVE', 'int, long', 'long', [200, true], [200, true]],
  ['case2', 'BACKWARD', 'string, double', 'int', [200, false], [200, false]],
  ['case3', 'BACKWARD_TRANSITIVE', 'string, double', 'int', [200, false], [200, false]],
  ['case4', 'BACKWARD', 'string, double, long deleted', 'int', [200, false], [200, false]],
  ['case5', 'BACKWARD_TRANSITIVE', 'string, double, long deleted', 'int', [200, false], [200, false]],
  ['case6', 'BACKWARD', 'none', 'int', [404, undefined], [200, true]],
  ['case7', 'BACKWARD_TRANSITIVE', 'none', 'int', [404, undefined], [200, true]],
];

describe("Karapace's REST compatibility cases", () => {
  let log: LogBackend;
  let registry: SchemaRegistry;
  let app: FastifyInstance;

  beforeEach(async () => {
    ({ log, registry } = await memoryRegistry());
    app = buildRegistryApp(registry);
  });

  afterEach(async () => {
    await app.close();
    await registry.close();
    await log.close();
  });

  async function call(method: 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) {
    const res = await app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': CT } }),
    });
    return { status: res.statusCode, body: JSON.parse(res.body) as ReturnType<typeof JSON.parse> };
  }

  it.each(cases)('%s: %s over %s, a new %s field', async (name, level, history, type, _karapace, expected) => {
    const subject = `subject_${name}`;
    const { schemas, deleteLatest } = histories[history];
    await call('PUT', `/config/${subject}`, { compatibility: 'NONE' });
    for (const schema of schemas)
      expect((await call('POST', `/subjects/${subject}/versions`, { schema })).status).toBe(200);
    if (deleteLatest) expect((await call('DELETE', `/subjects/${subject}/versions/latest`)).body).toBe(3);
    await call('PUT', `/config/${subject}`, { compatibility: level });
    const res = await call('POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: withField(type) });
    expect([res.status, res.body.is_compatible]).toEqual(expected);
  });

  it('should answer the transitive case by the latest version alone, as Confluent does', async () => {
    // string (v1) then int (v2), BACKWARD_TRANSITIVE: a long reads int (latest) but not string (v1).
    await call('PUT', '/config/s', { compatibility: 'NONE' });
    await call('POST', '/subjects/s/versions', { schema: withField('string') });
    await call('POST', '/subjects/s/versions', { schema: withField('int') });
    await call('PUT', '/config/s', { compatibility: 'BACKWARD_TRANSITIVE' });
    const check = (url: string) => call('POST', url, { schema: withField('long') });
    expect((await check('/compatibility/subjects/s/versions/latest')).body).toEqual({ is_compatible: true });
    expect((await check('/compatibility/subjects/s/versions')).body).toEqual({ is_compatible: false });
  });
});
