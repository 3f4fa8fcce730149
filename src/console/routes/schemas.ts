/**
 * The schemas API: Confluent's REST API of the registry the console was handed, under
 * `/api/registry/` (subjects, versions, compatibility, config, registering: the answers the
 * registry itself gives), plus a diff of two versions of a subject, pretty-printed so that a change
 * shows as the lines it touched. Writes are refused when the console is read-only.
 */
import type { FastifyInstance } from 'fastify';
import type { ConsoleRegistry } from '../decode.ts';
import { ConsoleHttpError, intParam } from '../http-errors.ts';
import { lineDiff } from '../line-diff.ts';
import type { ConsoleContext } from './context.ts';

/** A schema's text as the diff compares it: JSON pretty-printed, Protobuf as written. */
function pretty(schema: string): string {
  try {
    return JSON.stringify(JSON.parse(schema), null, 2);
  } catch {
    return schema;
  }
}

export function schemaRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const registry = (): ConsoleRegistry => {
    if (ctx.registry === undefined) {
      throw new ConsoleHttpError(404, 'NO_REGISTRY', 'This console runs without a schema registry');
    }
    return ctx.registry;
  };

  app.all('/api/registry/*', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') ctx.writable();
    const path = request.url.slice('/api/registry'.length) || '/';
    const answer = await registry().request(request.method, path, request.body);
    return reply.status(answer.status).type('application/json; charset=utf-8').send(answer.body);
  });

  app.get('/api/schemas/:subject/diff', async (request) => {
    const { subject } = request.params as { subject: string };
    const query = request.query as Record<string, string | undefined>;
    const from = intParam(query.from, 'from', 1, 1, Number.MAX_SAFE_INTEGER);
    const to = intParam(query.to, 'to', from + 1, 1, Number.MAX_SAFE_INTEGER);
    const version = async (v: number): Promise<string> => {
      const answer = await registry().request('GET', `/subjects/${encodeURIComponent(subject)}/versions/${v}`);
      const body = JSON.parse(answer.body) as { schema?: string; message?: string };
      if (answer.status !== 200 || typeof body.schema !== 'string') {
        throw new ConsoleHttpError(
          answer.status === 200 ? 500 : answer.status,
          'VERSION_NOT_FOUND',
          body.message ?? `No version ${v} of ${subject}`,
        );
      }
      return body.schema;
    };
    const [a, b] = [await version(from), await version(to)];
    return { subject, from, to, lines: lineDiff(pretty(a), pretty(b)) };
  });
}
