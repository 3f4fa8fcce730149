/**
 * `POST /compatibility/subjects/{s}/versions` (against what the subject's level checks) and
 * `POST /compatibility/subjects/{s}/versions/{v}` (against one version). `verbose=true` adds the
 * reasons as `messages`.
 */
import type { FastifyInstance } from 'fastify';
import type { CompatibilityResult } from '../../model.ts';
import type { SchemaRegistry } from '../../registry.ts';
import { REGISTRY_CONTENT_TYPE } from '../content-types.ts';
import { flag, type Query, schemaBody, version } from '../params.ts';

export function compatibilityRoutes(app: FastifyInstance, registry: SchemaRegistry): void {
  const answer = (result: CompatibilityResult, verbose: boolean) =>
    verbose ? { is_compatible: result.isCompatible, messages: result.messages } : { is_compatible: result.isCompatible };

  app.post<{ Params: { subject: string }; Querystring: Query }>('/compatibility/subjects/:subject/versions', async (req, reply) => {
    const result = registry.testCompatibility(req.params.subject, schemaBody(req.body));
    return reply.type(REGISTRY_CONTENT_TYPE).send(answer(result, flag(req.query, 'verbose')));
  });

  app.post<{ Params: { subject: string; version: string }; Querystring: Query }>(
    '/compatibility/subjects/:subject/versions/:version',
    async (req, reply) => {
      const selector = version(req.params.version);
      const result = registry.testCompatibility(req.params.subject, schemaBody(req.body), selector);
      return reply.type(REGISTRY_CONTENT_TYPE).send(answer(result, flag(req.query, 'verbose')));
    },
  );
}
