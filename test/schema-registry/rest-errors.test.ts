/**
 * Limits and malformed requests answer as Confluent does: a 4xx with `{error_code, message}`,
 * checked before anything is parsed or written, never a 500 or fastify's own body.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogBackend } from '../../src/index.ts';
import type { SchemaRegistry } from '../../schema-registry/registry.ts';
import { buildRegistryApp } from '../../schema-registry/server.ts';
import { memoryRegistry, userV1 } from './helpers.ts';

const CT = 'application/vnd.schemaregistry.v1+json';

describe('registry REST errors', () => {
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

  async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) {
    const res = await app.inject({
      method,
      url,
      ...(body === undefined
        ? {}
        : { payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': CT } }),
    });
    return {
      status: res.statusCode,
      body: JSON.parse(res.body) as { error_code: number; message: string },
      type: res.headers['content-type'],
    };
  }

  function expectConfluentError(
    res: { status: number; body: unknown; type: unknown },
    status: number,
    errorCode: number,
  ): void {
    expect(res.status).toBe(status);
    expect(res.type).toMatch(/^application\/vnd\.schemaregistry\.v1\+json/);
    expect(Object.keys(res.body as object).sort()).toEqual(['error_code', 'message']);
    expect(res.body).toMatchObject({ error_code: errorCode, message: expect.any(String) });
  }

  it('should refuse a JSON Schema nested 2,000 levels deep with 422 42201 when registering', async () => {
    const deep = '{"type":"object","properties":{"a":'.repeat(2000) + '{}' + '}}'.repeat(2000);
    expect(deep.length).toBeGreaterThan(70_000);
    expectConfluentError(
      await call('POST', '/subjects/deep/versions', { schemaType: 'JSON', schema: deep }),
      422,
      42201,
    );
    expectConfluentError(
      await call('POST', '/compatibility/subjects/deep/versions/latest', { schemaType: 'JSON', schema: deep }),
      422,
      42201,
    );
    // Nested less deeply than the limit but more than the library's stack: still 422.
    const stack = '{"type":"object","properties":{"a":'.repeat(499) + '{}' + '}}'.repeat(499);
    expectConfluentError(
      await call('POST', '/subjects/deep/versions', { schemaType: 'JSON', schema: stack }),
      422,
      42201,
    );
    expectConfluentError(await call('GET', '/subjects/deep/versions'), 404, 40401);
  });

  it('should refuse a schema larger than a _schemas record with 422 42209 and write nothing', async () => {
    for (const size of [1_300_000, 3_900_000]) {
      const big = JSON.stringify({ type: 'record', name: 'R', doc: 'x'.repeat(size), fields: [] });
      const res = await call('POST', '/subjects/big/versions', { schema: big });
      expectConfluentError(res, 422, 42209);
    }
    // Escapes count: a text under the limit whose stored JSON is over it.
    const quoted = JSON.stringify({ type: 'record', name: 'R', doc: '"'.repeat(600_000), fields: [] });
    expectConfluentError(await call('POST', '/subjects/big/versions', { schema: quoted }), 422, 42209);
    expectConfluentError(await call('GET', '/subjects/big/versions'), 404, 40401);
    expect(registry.subjects({ deleted: true })).toEqual([]);
  });

  it('should answer a body over the HTTP limit with 413 in Confluent shape', async () => {
    const huge = JSON.stringify({ schema: 'x'.repeat(4 * 1024 * 1024 + 10) });
    expectConfluentError(await call('POST', '/subjects/huge/versions', huge), 413, 413);
  });

  it('should answer bad percent-encoding in the path with 400 in Confluent shape', async () => {
    for (const url of ['/subjects/%ff%fe/versions', '/subjects/%ff%fe', '/config/a%2', '/schemas/ids/%E0%A4%A']) {
      expectConfluentError(await call('GET', url), 400, 400);
    }
  });

  it('should refuse a subject over 1,000 characters with 422 42208 on writes and 40401 on reads', async () => {
    const long = 'x'.repeat(1001);
    expectConfluentError(await call('POST', `/subjects/${long}/versions`, { schema: userV1 }), 422, 42208);
    expectConfluentError(await call('PUT', `/config/${long}`, { compatibility: 'NONE' }), 422, 42208);
    expectConfluentError(await call('PUT', `/mode/${long}`, { mode: 'READONLY' }), 422, 42208);
    expectConfluentError(await call('GET', `/subjects/${long}/versions`), 404, 40401);
    expectConfluentError(await call('POST', `/subjects/${'y'.repeat(20_000)}`, { schema: userV1 }), 404, 40401);
    expect((await call('POST', `/subjects/${'x'.repeat(1000)}/versions`, { schema: userV1 })).status).toBe(200);
  });

  it('should answer every 4xx in Confluent shape when requests go wrong in any way', async () => {
    await call('POST', '/subjects/s/versions', { schema: userV1 });
    const cases: [string, 'GET' | 'POST' | 'PUT' | 'DELETE', string, unknown, number, number][] = [
      ['an unknown route', 'GET', '/nowhere', undefined, 404, 404],
      ['bad JSON', 'POST', '/subjects/s/versions', '{"schema":', 400, 400],
      ['a body that is not an object', 'POST', '/subjects/s/versions', '[1]', 422, 42201],
      ['a bad version', 'GET', '/subjects/s/versions/zero', undefined, 422, 42202],
      ['an unknown id', 'GET', '/schemas/ids/77', undefined, 404, 40403],
      ['a bad level', 'PUT', '/config', { compatibility: 'SIDEWAYS' }, 422, 42203],
      ['a bad mode', 'PUT', '/mode', { mode: 'SIDEWAYS' }, 422, 42204],
      ['an invalid schema', 'POST', '/subjects/s/versions', { schema: '{"type":"recrd"}' }, 422, 42201],
    ];
    for (const [what, method, url, body, status, code] of cases) {
      const res = await call(method, url, body);
      expect([what, res.status, res.body.error_code]).toEqual([what, status, code]);
      expectConfluentError(res, status, code);
    }
  });
});
