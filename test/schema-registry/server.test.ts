import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogBackend } from '../../src/index.ts';
import type { SchemaRegistry } from '../../schema-registry/registry.ts';
import { buildRegistryApp, startRegistryServer } from '../../schema-registry/server.ts';
import { address, customer, memoryRegistry, userV1, userV2, userV3Required } from './helpers.ts';

const CT = 'application/vnd.schemaregistry.v1+json';

describe('registry REST API', () => {
  let log: LogBackend;
  let registry: SchemaRegistry;
  let app: FastifyInstance;

  beforeEach(async () => {
    ({ log, registry } = await memoryRegistry());
    app = buildRegistryApp(registry, { bodyLimit: 64 * 1024 });
  });

  afterEach(async () => {
    await app.close();
    await registry.close();
    await log.close();
  });

  async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, contentType = CT) {
    const res = await app.inject({
      method,
      url,
      ...(body === undefined
        ? {}
        : {
            payload: typeof body === 'string' ? body : JSON.stringify(body),
            headers: { 'content-type': contentType },
          }),
    });
    // Answers are JSON of many shapes; the tests read them field by field.
    let json: ReturnType<typeof JSON.parse>;
    try {
      json = JSON.parse(res.body);
    } catch {
      json = res.body;
    }
    return { status: res.statusCode, body: json, type: res.headers['content-type'] };
  }

  const register = (subject: string, schema: string, extra: Record<string, unknown> = {}) =>
    call('POST', `/subjects/${subject}/versions`, { schema, ...extra });

  it("should answer with Confluent's content type when any route is called", async () => {
    const res = await call('GET', '/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect(res.type).toMatch(/^application\/vnd\.schemaregistry\.v1\+json/);
    expect((await call('GET', '/schemas/types')).body).toEqual(['JSON', 'PROTOBUF', 'AVRO']);
  });

  describe('subjects and versions', () => {
    it('should register, list and fetch versions when schemas are posted', async () => {
      expect(await register('users-value', userV1)).toMatchObject({ status: 200, body: { id: 1 } });
      expect(await register('users-value', userV2)).toMatchObject({ status: 200, body: { id: 2 } });
      expect((await call('GET', '/subjects')).body).toEqual(['users-value']);
      expect((await call('GET', '/subjects/users-value/versions')).body).toEqual([1, 2]);
      for (const v of ['2', 'latest', '-1']) {
        expect((await call('GET', `/subjects/users-value/versions/${v}`)).body).toEqual({
          subject: 'users-value',
          version: 2,
          id: 2,
          schema: userV2,
        });
      }
      expect((await call('GET', '/subjects/users-value/versions/1/schema')).body).toEqual(JSON.parse(userV1));
    });

    it('should serve subjects with long names and encoded slashes when registering and fetching', async () => {
      const long = `com.example.${'very.'.repeat(40)}Long-value`;
      expect((await register(long, userV1)).status).toBe(200);
      expect((await call('GET', `/subjects/${long}/versions/1`)).body.subject).toBe(long);
      expect((await register(encodeURIComponent('shop/common.proto'), userV1)).status).toBe(200);
      expect((await call('GET', '/subjects')).body).toContain('shop/common.proto');
    });

    it('should accept application/json and application/octet-stream bodies when registering', async () => {
      expect((await call('POST', '/subjects/a/versions', { schema: userV1 }, 'application/json')).status).toBe(200);
      expect((await call('POST', '/subjects/b/versions', { schema: userV1 }, 'application/octet-stream')).body).toEqual(
        { id: 1 },
      );
    });

    it('should filter subjects by prefix and include soft-deleted ones when deleted=true', async () => {
      await register('users-value', userV1);
      await register('orders-value', userV1);
      await call('DELETE', '/subjects/orders-value');
      expect((await call('GET', '/subjects')).body).toEqual(['users-value']);
      expect((await call('GET', '/subjects?deleted=true')).body).toEqual(['orders-value', 'users-value']);
      expect((await call('GET', '/subjects?subjectPrefix=ord&deleted=true')).body).toEqual(['orders-value']);
      expect((await call('GET', '/subjects?deletedOnly=true')).body).toEqual(['orders-value']);
    });

    it('should look a schema up under a subject when posted to /subjects/{s}', async () => {
      await register('users-value', userV1);
      expect((await call('POST', '/subjects/users-value?normalize=true', { schema: userV1 })).body).toEqual({
        subject: 'users-value',
        version: 1,
        id: 1,
        schema: userV1,
      });
      expect((await call('POST', '/subjects/users-value', { schema: userV2 })).body.error_code).toBe(40403);
      expect((await call('POST', '/subjects/nobody', { schema: userV1 })).body.error_code).toBe(40401);
      await call('DELETE', '/subjects/users-value/versions/1');
      expect((await call('POST', '/subjects/users-value', { schema: userV1 })).status).toBe(404);
      expect((await call('POST', '/subjects/users-value?deleted=true', { schema: userV1 })).body.version).toBe(1);
    });

    it.each([
      ['GET', '/subjects/nobody/versions', 404, 40401],
      ['GET', '/subjects/nobody/versions/1', 404, 40401],
      ['GET', '/subjects/users-value/versions/9', 404, 40402],
      ['GET', '/subjects/users-value/versions/abc', 422, 42202],
      ['GET', '/subjects/users-value/versions/0', 422, 42202],
      ['GET', '/subjects/users-value/versions/-2', 422, 42202],
      ['GET', '/subjects/users-value/versions/99999999999', 422, 42202],
      ['DELETE', '/subjects/users-value/versions/abc', 422, 42202],
      ['DELETE', '/subjects/nobody', 404, 40401],
      ['DELETE', '/subjects/users-value?permanent=true', 404, 40405],
      ['DELETE', '/subjects/users-value/versions/1?permanent=true', 404, 40407],
      ['GET', '/schemas/ids/99', 404, 40403],
      ['GET', '/schemas/ids/abc', 404, 40403],
      ['GET', '/schemas/ids/99/subjects', 404, 40403],
      ['GET', '/schemas/ids/99/versions', 404, 40403],
      ['GET', '/schemas/ids/99/schema', 404, 40403],
      ['GET', '/config/users-value', 404, 40408],
      ['GET', '/mode/users-value', 404, 40409],
      ['DELETE', '/config/users-value', 404, 40401],
      ['DELETE', '/mode/users-value', 404, 40401],
      ['POST', '/subjects/users-value/versions/-2', 404, 404],
      ['GET', '/no/such/route', 404, 404],
    ] as const)('should answer %s %s with %i and error_code %i', async (method, url, status, errorCode) => {
      await register('users-value', userV1);
      const res = await call(method, url);
      expect(res.status).toBe(status);
      expect(res.body.error_code).toBe(errorCode);
      expect(typeof res.body.message).toBe('string');
    });

    it('should soft-delete and then hard-delete a version when asked in that order', async () => {
      await register('users-value', userV1);
      await register('users-value', userV2);
      expect((await call('DELETE', '/subjects/users-value/versions/latest')).body).toBe(2);
      expect((await call('DELETE', '/subjects/users-value/versions/2')).body.error_code).toBe(40406);
      expect((await call('GET', '/subjects/users-value/versions/2')).body.error_code).toBe(40402);
      expect((await call('GET', '/subjects/users-value/versions/2?deleted=true')).body.version).toBe(2);
      expect((await call('GET', '/subjects/users-value/versions?deleted=true')).body).toEqual([1, 2]);
      expect((await call('GET', '/schemas/ids/2')).status).toBe(200);
      expect((await call('DELETE', '/subjects/users-value/versions/2?permanent=true')).body).toBe(2);
      expect((await call('GET', '/schemas/ids/2')).body.error_code).toBe(40403);
    });

    it('should soft-delete and then hard-delete a subject when asked in that order', async () => {
      await register('users-value', userV1);
      expect((await call('DELETE', '/subjects/users-value')).body).toEqual([1]);
      expect((await call('DELETE', '/subjects/users-value')).body.error_code).toBe(40404);
      expect((await call('GET', '/subjects/users-value/versions')).body.error_code).toBe(40401);
      expect((await call('DELETE', '/subjects/users-value?permanent=true')).body).toEqual([1]);
      expect((await call('GET', '/subjects?deleted=true')).body).toEqual([]);
    });

    it('should list referencing ids, and answer 42206 when a referenced schema is deleted', async () => {
      await register('address', address);
      const { body } = await register('customers-value', customer, {
        references: [{ name: 'com.example.Address', subject: 'address', version: 1 }],
      });
      expect((await call('GET', '/subjects/address/versions/1/referencedby')).body).toEqual([body.id]);
      expect((await call('GET', `/schemas/ids/${body.id}`)).body.references).toEqual([
        { name: 'com.example.Address', subject: 'address', version: 1 },
      ]);
      const res = await call('DELETE', '/subjects/address/versions/1');
      expect(res).toMatchObject({ status: 422, body: { error_code: 42206 } });
    });
  });

  describe('bad requests', () => {
    it.each([
      ['malformed JSON', '{"schema": ', 400, 400],
      ['a JSON array', '[]', 422, 42201],
      ['a missing schema', '{}', 422, 42201],
      ['a schema that is a number', '{"schema": 5}', 422, 42201],
      ['an unparseable schema', '{"schema": "{\\"type\\": \\"nope\\"}"}', 422, 42201],
      ['an unknown schemaType', `{"schema": ${JSON.stringify(userV1)}, "schemaType": "XML"}`, 422, 42201],
      ['a schemaType that is a number', `{"schema": ${JSON.stringify(userV1)}, "schemaType": 3}`, 422, 42201],
      ['references that are not an array', `{"schema": ${JSON.stringify(userV1)}, "references": {}}`, 422, 42201],
      [
        'a reference without a version',
        `{"schema": ${JSON.stringify(userV1)}, "references": [{"name":"a","subject":"b"}]}`,
        422,
        42201,
      ],
      [
        'a reference to nothing',
        `{"schema": ${JSON.stringify(customer)}, "references": [{"name":"com.example.Address","subject":"b","version":1}]}`,
        422,
        42201,
      ],
      ['a version that is a string', `{"schema": ${JSON.stringify(userV1)}, "version": "two"}`, 422, 42202],
      ['an id that is a string', `{"schema": ${JSON.stringify(userV1)}, "id": "7"}`, 422, 42201],
    ])('should answer a registration with %s with %i', async (_what, body, status, errorCode) => {
      const res = await call('POST', '/subjects/x/versions', body);
      expect(res.status).toBe(status);
      expect(res.body.error_code).toBe(errorCode);
    });

    it('should answer 413 when the body is larger than the limit', async () => {
      const res = await call('POST', '/subjects/x/versions', { schema: 'x'.repeat(100 * 1024) });
      expect(res).toMatchObject({ status: 413, body: { error_code: 413 } });
    });

    it('should answer 415 when the content type is not JSON', async () => {
      const res = await call('POST', '/subjects/x/versions', `{"schema":"\\"int\\""}`, 'text/plain');
      expect(res).toMatchObject({ status: 415, body: { error_code: 415 } });
    });

    it('should answer 409 with the reasons when a registration is incompatible', async () => {
      await register('users-value', userV1);
      const res = await register('users-value', userV3Required);
      expect(res.status).toBe(409);
      expect(res.body.error_code).toBe(409);
      expect(res.body.message).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
    });

    it('should answer 500 with 50001 when the log cannot be written', async () => {
      await register('users-value', userV1);
      await log.close();
      const res = await register('users-value', userV2);
      expect(res).toMatchObject({ status: 500, body: { error_code: 50001 } });
      expect((await call('GET', '/subjects/users-value/versions')).body).toEqual([1]);
      ({ log, registry } = await memoryRegistry());
    });

    it('should keep serving when requests fail', async () => {
      await call('POST', '/subjects/x/versions', '{{{{');
      expect((await call('GET', '/')).status).toBe(200);
    });
  });

  describe('schemas by id', () => {
    it('should answer the schema, its subjects and versions when fetched by id', async () => {
      await register('a-value', userV1);
      await register('b-value', userV1);
      expect((await call('GET', '/schemas/ids/1')).body).toEqual({ schema: userV1 });
      expect((await call('GET', '/schemas/ids/1?subject=a-value')).body).toEqual({ schema: userV1 });
      expect((await call('GET', '/schemas/ids/1/schema')).body).toEqual(JSON.parse(userV1));
      expect((await call('GET', '/schemas/ids/1/subjects')).body).toEqual(['a-value', 'b-value']);
      expect((await call('GET', '/schemas/ids/1/versions')).body).toEqual([
        { subject: 'a-value', version: 1 },
        { subject: 'b-value', version: 1 },
      ]);
      await call('DELETE', '/subjects/a-value');
      expect((await call('GET', '/schemas/ids/1/subjects')).body).toEqual(['b-value']);
      expect((await call('GET', '/schemas/ids/1/subjects?deleted=true')).body).toEqual(['a-value', 'b-value']);
    });

    it('should list schemas with prefix, latestOnly, offset and limit when GET /schemas is called', async () => {
      await register('a-value', userV1);
      await register('a-value', userV2);
      await register('b-value', userV1);
      expect(
        (await call('GET', '/schemas')).body.map(
          (s: { subject: string; version: number }) => `${s.subject}/${s.version}`,
        ),
      ).toEqual(['a-value/1', 'a-value/2', 'b-value/1']);
      expect(
        (await call('GET', '/schemas?latestOnly=true')).body.map(
          (s: { subject: string; version: number }) => `${s.subject}/${s.version}`,
        ),
      ).toEqual(['a-value/2', 'b-value/1']);
      expect((await call('GET', '/schemas?subjectPrefix=b')).body).toHaveLength(1);
      expect((await call('GET', '/schemas?offset=1&limit=1')).body.map((s: { version: number }) => s.version)).toEqual([
        2,
      ]);
    });
  });

  describe('compatibility', () => {
    it('should answer is_compatible with messages when verbose=true', async () => {
      await register('users-value', userV1);
      expect(
        (await call('POST', '/compatibility/subjects/users-value/versions/latest', { schema: userV2 })).body,
      ).toEqual({ is_compatible: true });
      const res = await call('POST', '/compatibility/subjects/users-value/versions/1?verbose=true', {
        schema: userV3Required,
      });
      expect(res.status).toBe(200);
      expect(res.body.is_compatible).toBe(false);
      expect(res.body.messages.join(' ')).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
      expect(
        (await call('POST', '/compatibility/subjects/users-value/versions', { schema: userV3Required })).body,
      ).toEqual({ is_compatible: false });
    });

    it('should answer 40401, 40402 and 42202 when the subject or version is wrong', async () => {
      await register('users-value', userV1);
      // A subject with no versions is compatible with anything (Java's client asks this before registering).
      expect((await call('POST', '/compatibility/subjects/nobody/versions/latest', { schema: userV2 })).body).toEqual({
        is_compatible: true,
      });
      expect(
        (await call('POST', '/compatibility/subjects/nobody/versions/1', { schema: userV2 })).body.error_code,
      ).toBe(40402);
      expect(
        (await call('POST', '/compatibility/subjects/users-value/versions/5', { schema: userV2 })).body.error_code,
      ).toBe(40402);
      expect(
        (await call('POST', '/compatibility/subjects/users-value/versions/x', { schema: userV2 })).body.error_code,
      ).toBe(42202);
      expect((await call('POST', '/compatibility/subjects/nobody/versions', { schema: userV2 })).body).toEqual({
        is_compatible: true,
      });
    });
  });

  describe('config and mode', () => {
    it('should get, set and delete the global and subject compatibility when /config is called', async () => {
      expect((await call('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
      expect((await call('PUT', '/config', { compatibility: 'FULL' })).body).toEqual({ compatibility: 'FULL' });
      expect((await call('PUT', '/config/users-value', { compatibility: 'none' })).body).toEqual({
        compatibility: 'NONE',
      });
      expect((await call('GET', '/config/users-value')).body).toEqual({ compatibilityLevel: 'NONE' });
      expect((await call('GET', '/config/other?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'FULL' });
      expect((await call('DELETE', '/config/users-value')).body).toEqual({ compatibilityLevel: 'NONE' });
      expect((await call('GET', '/config/users-value')).body.error_code).toBe(40408);
      expect((await call('DELETE', '/config')).body).toEqual({ compatibilityLevel: 'FULL' });
      expect((await call('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    });

    it.each([
      ['PUT', '/config', { compatibility: 'SIDEWAYS' }, 42203],
      ['PUT', '/config', { compatibility: 7 }, 42203],
      ['PUT', '/config/x', {}, 42203],
      ['PUT', '/mode', { mode: 'WRITEONLY' }, 42204],
      ['PUT', '/mode/x', { mode: null }, 42204],
    ] as const)('should answer %s %s with %o with 422', async (method, url, body, errorCode) => {
      const res = await call(method, url, body);
      expect(res.status).toBe(422);
      expect(res.body.error_code).toBe(errorCode);
    });

    it('should get, set and delete modes and refuse writes when READONLY', async () => {
      expect((await call('GET', '/mode')).body).toEqual({ mode: 'READWRITE' });
      expect((await call('PUT', '/mode/users-value', { mode: 'READONLY' })).body).toEqual({ mode: 'READONLY' });
      expect((await call('GET', '/mode/users-value')).body).toEqual({ mode: 'READONLY' });
      expect((await call('GET', '/mode/other?defaultToGlobal=true')).body).toEqual({ mode: 'READWRITE' });
      expect((await register('users-value', userV1)).body.error_code).toBe(42205);
      expect((await call('DELETE', '/mode/users-value')).body).toEqual({ mode: 'READONLY' });
      expect((await register('users-value', userV1)).status).toBe(200);
    });

    it('should import with ids when in IMPORT mode and refuse IMPORT on a busy registry without force', async () => {
      await register('users-value', userV1);
      expect((await call('PUT', '/mode', { mode: 'IMPORT' })).body.error_code).toBe(42205);
      expect((await call('PUT', '/mode?force=true', { mode: 'IMPORT' })).body).toEqual({ mode: 'IMPORT' });
      expect((await register('imported', userV2, { id: 100, version: 5 })).body).toEqual({ id: 100 });
      expect((await call('GET', '/subjects/imported/versions/5')).body.id).toBe(100);
      await call('PUT', '/mode', { mode: 'READWRITE' });
      expect((await register('x', userV2, { id: 100 })).body.error_code).toBe(42205);
    });
  });
});

describe('startRegistryServer', () => {
  it('should answer over HTTP when listening on an ephemeral loopback port', async () => {
    const { log } = await memoryRegistry();
    const server = await startRegistryServer(log, { port: 0, host: '127.0.0.1' });
    try {
      expect(server.port).toBeGreaterThan(0);
      const res = await fetch(`${server.url}/subjects/a/versions`, {
        method: 'POST',
        headers: { 'content-type': CT },
        body: JSON.stringify({ schema: userV1 }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ id: 1 });
      const bad = await fetch(`${server.url}/subjects/a/versions`, {
        method: 'POST',
        headers: { 'content-type': CT },
        body: '{"sch',
      });
      expect(bad.status).toBe(400);
    } finally {
      await server.close();
      await log.close();
    }
  });
});
