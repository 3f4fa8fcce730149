/**
 * Compatibility levels: `GET|PUT|DELETE /config` (global) and `GET|PUT|DELETE /config/{s}`.
 * A subject without its own level answers 404 40408 unless `defaultToGlobal=true`.
 */
import type { FastifyInstance } from 'fastify';
import type { SchemaRegistry } from '../../registry.ts';
import { REGISTRY_CONTENT_TYPE } from '../content-types.ts';
import { field, flag, type Query } from '../params.ts';

type Route = { Params: { subject?: string }; Querystring: Query };

export function configRoutes(app: FastifyInstance, registry: SchemaRegistry): void {
  const subjectOf = (params: { subject?: string }) => params.subject ?? null;

  for (const path of ['/config', '/config/:subject']) {
    app.get<Route>(path, async (req, reply) => {
      const level = registry.getCompatibility(subjectOf(req.params), { defaultToGlobal: flag(req.query, 'defaultToGlobal') });
      return reply.type(REGISTRY_CONTENT_TYPE).send({ compatibilityLevel: level });
    });
    app.put<Route>(path, async (req, reply) => {
      const level = await registry.setCompatibility(subjectOf(req.params), field(req.body, 'compatibility', 'INVALID_COMPATIBILITY_LEVEL'));
      return reply.type(REGISTRY_CONTENT_TYPE).send({ compatibility: level });
    });
    app.delete<Route>(path, async (req, reply) => {
      const previous = await registry.deleteCompatibility(subjectOf(req.params));
      return reply.type(REGISTRY_CONTENT_TYPE).send({ compatibilityLevel: previous });
    });
  }
}
