/**
 * `POST /compatibility/subjects/{s}/versions` (against what the subject's level checks) and
 * `POST /compatibility/subjects/{s}/versions/{v}` (against one version; `latest` of a subject with
 * no versions is compatible). `verbose=true` adds the reasons as `messages`, and answers a schema
 * that cannot be parsed with 200, `is_compatible: false` and the parser's message, as Confluent
 * does; without it such a schema is 422 42201. `normalize=true` normalises the schema first.
 */
import type { FastifyInstance } from 'fastify';
import { TributaryError } from '../../../src/index.ts';
import type { CompatibilityResult, VersionSelector } from '../../model.ts';
import type { SchemaRegistry } from '../../registry.ts';
import { REGISTRY_CONTENT_TYPE } from '../content-types.ts';
import { flag, type Query, schemaBody, version } from '../params.ts';

type Route = { Params: { subject: string; version?: string }; Querystring: Query };

export function compatibilityRoutes(app: FastifyInstance, registry: SchemaRegistry): void {
  const check = (subject: string, body: unknown, selector: VersionSelector | undefined, query: Query) => {
    const verbose = flag(query, 'verbose');
    let result: CompatibilityResult;
    try {
      result = registry.testCompatibility(subject, schemaBody(body), selector, { normalize: flag(query, 'normalize') });
    } catch (err) {
      if (!verbose || !(err instanceof TributaryError) || err.code !== 'INVALID_SCHEMA') throw err;
      // Confluent's verbose answer names it as an invalid schema.
      result = {
        isCompatible: false,
        messages: [err.message.startsWith('Invalid schema') ? err.message : `Invalid schema: ${err.message}`],
      };
    }
    return verbose
      ? { is_compatible: result.isCompatible, messages: result.messages }
      : { is_compatible: result.isCompatible };
  };

  app.post<Route>('/compatibility/subjects/:subject/versions', async (req, reply) =>
    reply.type(REGISTRY_CONTENT_TYPE).send(check(req.params.subject, req.body, undefined, req.query)),
  );

  app.post<Route>('/compatibility/subjects/:subject/versions/:version', async (req, reply) => {
    const selector = version(req.params.version ?? '');
    return reply.type(REGISTRY_CONTENT_TYPE).send(check(req.params.subject, req.body, selector, req.query));
  });
}
