/**
 * Subjects and their versions: `GET /subjects`, `POST|DELETE /subjects/{s}`,
 * `GET|POST /subjects/{s}/versions`, `GET|DELETE /subjects/{s}/versions/{v}`,
 * `GET /subjects/{s}/versions/{v}/schema`, `GET /subjects/{s}/versions/{v}/referencedby`.
 */
import type { FastifyInstance } from 'fastify';
import type { SchemaRegistry } from '../../registry.ts';
import { schemaText, versionBody } from '../bodies.ts';
import { REGISTRY_CONTENT_TYPE } from '../content-types.ts';
import { flag, page, type Query, schemaBody, text, version } from '../params.ts';

type Subject = { Params: { subject: string }; Querystring: Query };
type SubjectVersionRoute = { Params: { subject: string; version: string }; Querystring: Query };

export function subjectRoutes(app: FastifyInstance, registry: SchemaRegistry): void {
  app.get<{ Querystring: Query }>('/subjects', async (req, reply) => {
    const deletedOnly = flag(req.query, 'deletedOnly');
    const prefix = text(req.query, 'subjectPrefix');
    let names = registry.subjects({ deleted: flag(req.query, 'deleted') || deletedOnly, prefix });
    if (deletedOnly) {
      const live = new Set(registry.subjects({ prefix }));
      names = names.filter((n) => !live.has(n));
    }
    return reply.type(REGISTRY_CONTENT_TYPE).send(page(names, req.query));
  });

  // Lookup: is this schema registered under the subject?
  app.post<Subject>('/subjects/:subject', async (req, reply) => {
    const found = registry.lookup(req.params.subject, schemaBody(req.body), {
      deleted: flag(req.query, 'deleted'),
      normalize: flag(req.query, 'normalize'),
    });
    return reply.type(REGISTRY_CONTENT_TYPE).send(versionBody(registry, found));
  });

  app.delete<Subject>('/subjects/:subject', async (req, reply) => {
    const versions = await registry.deleteSubject(req.params.subject, { permanent: flag(req.query, 'permanent') });
    return reply.type(REGISTRY_CONTENT_TYPE).send(versions);
  });

  app.get<Subject>('/subjects/:subject/versions', async (req, reply) => {
    const versions = registry.versions(req.params.subject, {
      deleted: flag(req.query, 'deleted'),
      deletedOnly: flag(req.query, 'deletedOnly'),
    });
    return reply.type(REGISTRY_CONTENT_TYPE).send(page(versions, req.query));
  });

  app.post<Subject>('/subjects/:subject/versions', async (req, reply) => {
    const { id, version: v, ...input } = schemaBody(req.body);
    const registered = await registry.register(req.params.subject, input, {
      ...(id === undefined ? {} : { id }),
      ...(v === undefined ? {} : { version: v }),
      normalize: flag(req.query, 'normalize'),
    });
    return reply.type(REGISTRY_CONTENT_TYPE).send({ id: registered.id });
  });

  app.get<SubjectVersionRoute>('/subjects/:subject/versions/:version', async (req, reply) => {
    const found = registry.getVersion(req.params.subject, version(req.params.version), {
      deleted: flag(req.query, 'deleted'),
    });
    return reply.type(REGISTRY_CONTENT_TYPE).send(versionBody(registry, found, text(req.query, 'format')));
  });

  app.delete<SubjectVersionRoute>('/subjects/:subject/versions/:version', async (req, reply) => {
    const deleted = await registry.deleteVersion(req.params.subject, version(req.params.version), {
      permanent: flag(req.query, 'permanent'),
    });
    return reply.type(REGISTRY_CONTENT_TYPE).send(deleted);
  });

  app.get<SubjectVersionRoute>('/subjects/:subject/versions/:version/schema', async (req, reply) => {
    const found = registry.getVersion(req.params.subject, version(req.params.version), {
      deleted: flag(req.query, 'deleted'),
    });
    return reply.type(REGISTRY_CONTENT_TYPE).send(schemaText(registry, found, text(req.query, 'format')));
  });

  app.get<SubjectVersionRoute>('/subjects/:subject/versions/:version/referencedby', async (req, reply) => {
    const ids = registry.referencedBy(req.params.subject, version(req.params.version));
    return reply.type(REGISTRY_CONTENT_TYPE).send(ids);
  });
}
