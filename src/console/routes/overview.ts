/**
 * The overview: counts of topics, partitions, records, bytes, groups and schemas, and the
 * produce/consume rates of the last minutes from the metrics' samples; `/metrics` in Prometheus'
 * text format; and the streams applications with their topologies, tasks, lag and stores.
 */
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from './context.ts';
import { describeAll, summarize } from './topics.ts';

export function overviewRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/api/overview', async () => {
    const topics = (await describeAll(ctx.log)).map(summarize).filter((t) => !t.internal);
    const groups = (await ctx.admin.listGroups()).groups.length;
    let schemas: number | null = null;
    if (ctx.registry !== undefined) {
      const answer = await ctx.registry.request('GET', '/subjects');
      schemas = answer.status === 200 ? (JSON.parse(answer.body) as string[]).length : null;
    }
    return {
      readOnly: ctx.readOnly,
      registry: ctx.registry !== undefined,
      topics: topics.length,
      partitions: topics.reduce((n, t) => n + t.partitions, 0),
      records: topics.reduce((n, t) => n + t.records, 0),
      sizeBytes: topics.reduce((n, t) => n + t.sizeBytes, 0),
      groups,
      subjects: schemas,
      streams: ctx.streams.list().length,
      rates: ctx.metrics.points().map((p) => ({ at: p.at, in: p.inPerSec, out: p.outPerSec })),
    };
  });

  app.get('/metrics', async (_request, reply) => {
    await ctx.metrics.sample();
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(ctx.metrics.prometheus());
  });

  app.get('/api/streams', async () => {
    const apps = [];
    for (const a of ctx.streams.list()) {
      apps.push({ applicationId: a.applicationId, state: a.streams.state, tasks: a.streams.tasks.length });
    }
    return { apps };
  });

  app.get('/api/streams/:app', async (request) => {
    const { app: id } = request.params as { app: string };
    const a = ctx.streams.get(id);
    let lag: { topic: string; partition: number; committed: number | null; end: number; lag: number }[] = [];
    try {
      lag = (await ctx.admin.fetchConsumerLag({ groupId: id })).flatMap(({ topic, partitions }) =>
        partitions.map((p) => ({
          topic,
          partition: p.partition,
          committed: p.offset === '-1' ? null : Number(p.offset),
          end: Number(p.high),
          lag: Number(p.lag),
        })),
      );
    } catch {
      lag = [];
    }
    return {
      applicationId: id,
      state: a.streams.state,
      tasks: a.streams.tasks,
      topology: a.topology.describe().subtopologies,
      description: a.topology.describe().toString(),
      stores: ctx.streams.stores(a),
      lag,
    };
  });

  app.get('/api/streams/:app/stores/:store', async (request) => {
    const { app: id, store } = request.params as { app: string; store: string };
    const { key } = request.query as { key?: string };
    const a = ctx.streams.get(id);
    return { store, entries: ctx.streams.query(a, store, key === undefined || key === '' ? undefined : key) };
  });
}
