/**
 * The schemas API: Confluent's REST API of the registry in this process, under `/api/registry/`
 * (the same answers `trib serve`'s registry gives on its own port: subjects, versions,
 * compatibility, config, registering), plus a diff of two versions of a subject, pretty-printed so
 * that a change shows as the lines it touched. Writes are refused when the console is read-only.
 */
import type { FastifyInstance } from 'fastify';
import { ConsoleHttpError, intParam } from '../http-errors.ts';
import { lineDiff } from '../line-diff.ts';
import type { ConsoleContext } from './context.ts';

type RegistryApp = {
  inject(options: object): Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>;
};

/** A schema's text as the diff compares it: JSON pretty-printed, Protobuf as written. */
function pretty(schema: string): string {
  try {
    return JSON.stringify(JSON.parse(schema), null, 2);
  } catch {
    return schema;
  }
}

export function schemaRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  let registryApp: Promise<RegistryApp> | undefined;
  const registry = () => {
    if (ctx.registry === undefined) {
      throw new ConsoleHttpError(404, 'NO_REGISTRY', 'This console runs without a schema registry');
    }
    registryApp ??= import('../../../schema-registry/index.ts').then(
      ({ buildRegistryApp }) => buildRegistryApp(ctx.registry!) as unknown as RegistryApp,
    );
    return registryApp;
  };

  app.all('/api/registry/*', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') ctx.writable();
    const target = await registry();
    const url = request.url.slice('/api/registry'.length) || '/';
    const answer = await target.inject({
      method: request.method,
      url,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/json' },
      ...(request.body === undefined ? {} : { payload: JSON.stringify(request.body) }),
    });
    return reply.status(answer.statusCode).type('application/json; charset=utf-8').send(answer.body);
  });

  app.get('/api/schemas/:subject/diff', async (request) => {
    const { subject } = request.params as { subject: string };
    const query = request.query as Record<string, string | undefined>;
    const from = intParam(query.from, 'from', 1, 1, Number.MAX_SAFE_INTEGER);
    const to = intParam(query.to, 'to', from + 1, 1, Number.MAX_SAFE_INTEGER);
    await registry();
    const version = (v: number) => {
      try {
        return ctx.registry!.getVersion(subject, v);
      } catch (err) {
        throw new ConsoleHttpError(404, 'VERSION_NOT_FOUND', (err as Error).message);
      }
    };
    const a = version(from);
    const b = version(to);
    return { subject, from, to, lines: lineDiff(pretty(a.schema), pretty(b.schema)) };
  });
}
