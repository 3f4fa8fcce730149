/**
 * Modes: `GET|PUT|DELETE /mode` (global) and `GET|PUT|DELETE /mode/{s}`. A subject without its own
 * mode answers 404 40409 unless `defaultToGlobal=true`; IMPORT on a non-empty registry needs `force=true`.
 */
import type { FastifyInstance } from 'fastify';
import type { SchemaRegistry } from '../../registry.ts';
import { REGISTRY_CONTENT_TYPE } from '../content-types.ts';
import { field, flag, type Query } from '../params.ts';

type Route = { Params: { subject?: string }; Querystring: Query };

export function modeRoutes(app: FastifyInstance, registry: SchemaRegistry): void {
  const subjectOf = (params: { subject?: string }) => params.subject ?? null;

  for (const path of ['/mode', '/mode/:subject']) {
    app.get<Route>(path, async (req, reply) => {
      const mode = registry.getMode(subjectOf(req.params), { defaultToGlobal: flag(req.query, 'defaultToGlobal') });
      return reply.type(REGISTRY_CONTENT_TYPE).send({ mode });
    });
    app.put<Route>(path, async (req, reply) => {
      const mode = await registry.setMode(subjectOf(req.params), field(req.body, 'mode', 'INVALID_MODE'), {
        force: flag(req.query, 'force'),
      });
      return reply.type(REGISTRY_CONTENT_TYPE).send({ mode });
    });
    app.delete<Route>(path, async (req, reply) => {
      const previous = await registry.deleteMode(subjectOf(req.params));
      return reply.type(REGISTRY_CONTENT_TYPE).send({ mode: previous });
    });
  }
}
