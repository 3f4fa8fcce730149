/**
 * Schemas by global id: `GET /schemas`, `GET /schemas/ids/{id}` (`subject`, `format`),
 * `GET /schemas/ids/{id}/schema|subjects|versions` (the last two paged by `offset`/`limit`).
 *
 * `GET /schemas/ids/{id}` is what every deserializer calls; its JSON is cached per id and format
 * until the registry changes.
 */
import type { FastifyInstance } from 'fastify';
import type { SchemaRegistry } from '../../registry.ts';
import { schemaBody, schemaText, versionBody } from '../bodies.ts';
import { REGISTRY_CONTENT_TYPE } from '../content-types.ts';
import { flag, page, type Query, schemaId, text } from '../params.ts';

type IdRoute = { Params: { id: string }; Querystring: Query };

export function schemaRoutes(app: FastifyInstance, registry: SchemaRegistry): void {
  const cache = new Map<string, string>();
  let cachedAt = -1;

  app.get<{ Querystring: Query }>('/schemas', async (req, reply) => {
    const all = registry.listSchemas({
      subjectPrefix: text(req.query, 'subjectPrefix'),
      deleted: flag(req.query, 'deleted'),
      latestOnly: flag(req.query, 'latestOnly'),
    });
    return reply
      .type(REGISTRY_CONTENT_TYPE)
      .send(page(all, req.query).map((v) => versionBody(registry, v, text(req.query, 'format'))));
  });

  app.get<IdRoute>('/schemas/ids/:id', async (req, reply) => {
    if (cachedAt !== registry.generation) {
      cache.clear();
      cachedAt = registry.generation;
    }
    const format = text(req.query, 'format') ?? '';
    const fetchMaxId = flag(req.query, 'fetchMaxId');
    const key = `${req.params.id}\u0000${format}\u0000${fetchMaxId}`;
    let json = cache.get(key);
    if (json === undefined) {
      const schema = registry.getSchema(schemaId(req.params.id));
      const body = schemaBody(registry, schema, format);
      if (fetchMaxId) body['maxId'] = registry.maxId;
      json = JSON.stringify(body);
      if (cache.size < 10_000) cache.set(key, json);
    }
    return reply.type(REGISTRY_CONTENT_TYPE).send(json);
  });

  app.get<IdRoute>('/schemas/ids/:id/schema', async (req, reply) => {
    const schema = registry.getSchema(schemaId(req.params.id));
    return reply.type(REGISTRY_CONTENT_TYPE).send(schemaText(registry, schema, text(req.query, 'format')));
  });

  app.get<IdRoute>('/schemas/ids/:id/subjects', async (req, reply) => {
    const usages = registry.usagesOf(schemaId(req.params.id), { deleted: flag(req.query, 'deleted') });
    return reply.type(REGISTRY_CONTENT_TYPE).send(page([...new Set(usages.map((u) => u.subject))], req.query));
  });

  app.get<IdRoute>('/schemas/ids/:id/versions', async (req, reply) => {
    const usages = registry.usagesOf(schemaId(req.params.id), { deleted: flag(req.query, 'deleted') });
    const versions = usages.map((u) => ({ subject: u.subject, version: u.version }));
    return reply.type(REGISTRY_CONTENT_TYPE).send(page(versions, req.query));
  });
}
