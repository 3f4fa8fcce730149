/**
 * The topics API: the list (partitions, records, size, cleanup policy, last write), one topic's
 * partitions and configs with overrides marked, and, unless the console is read-only, create,
 * delete (the body must repeat the topic's name, the page's confirmation) and config changes.
 */
import type { ConsoleLog } from '../console-log.ts';
import type { FastifyInstance } from 'fastify';
import type { TopicDescription } from '../../log/backend.ts';
import { ConsoleHttpError, intParam } from '../http-errors.ts';
import type { ConsoleContext } from './context.ts';

/** A topic as the list shows it. */
export interface TopicSummary {
  name: string;
  partitions: number;
  /** Records between each partition's log start and high watermark, summed. */
  records: number;
  sizeBytes: number;
  cleanupPolicy: string;
  internal: boolean;
}

/** Names starting with `_` are Kafka's and Tributary's internal topics (`_schemas`, `__consumer_offsets`…). */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('_');
}

export function summarize(description: TopicDescription): TopicSummary {
  let records = 0;
  let sizeBytes = 0;
  for (const p of description.partitions) {
    records += p.highWatermark - p.logStartOffset;
    sizeBytes += p.sizeBytes;
  }
  return {
    name: description.name,
    partitions: description.partitions.length,
    records,
    sizeBytes,
    cleanupPolicy: String((description.configs as unknown as Record<string, unknown>)['cleanup.policy'] ?? 'delete'),
    internal: isInternalTopic(description.name),
  };
}

/** The descriptions of every topic, skipping any deleted while they were listed. */
export async function describeAll(log: ConsoleLog): Promise<TopicDescription[]> {
  const names = (await log.listTopics()).sort();
  const out: TopicDescription[] = [];
  for (const name of names) {
    try {
      out.push(await log.describeTopic(name));
    } catch {
      // deleted meanwhile
    }
  }
  return out;
}

/** A topic name from the URL: it must exist. */
export async function existingTopic(log: ConsoleLog, name: string): Promise<TopicDescription> {
  return log.describeTopic(name);
}

function configValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function topicRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { log } = ctx;

  app.get('/api/topics', async (request) => {
    const query = request.query as Record<string, string | undefined>;
    const filter = (query.filter ?? '').toLowerCase();
    const internal = query.internal === 'true';
    const limit = intParam(query.limit, 'limit', 1000, 1, 100_000);
    const offset = intParam(query.offset, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const sort = query.sort ?? 'name';
    if (!['name', 'partitions', 'records', 'sizeBytes'].includes(sort)) {
      throw new ConsoleHttpError(
        400,
        'BAD_REQUEST',
        `sort must be name, partitions, records or sizeBytes; got ${sort}`,
      );
    }
    let topics = (await describeAll(log)).map(summarize);
    if (!internal) topics = topics.filter((t) => !t.internal);
    if (filter !== '') topics = topics.filter((t) => t.name.toLowerCase().includes(filter));
    if (sort !== 'name') {
      const key = sort as 'partitions' | 'records' | 'sizeBytes';
      topics.sort((a, b) => b[key] - a[key] || (a.name < b.name ? -1 : 1));
    }
    const lastWrite = ctx.lastWrite;
    return {
      total: topics.length,
      topics: topics.slice(offset, offset + limit).map((t) => ({ ...t, lastWrite: lastWrite.get(t.name) ?? null })),
    };
  });

  app.get('/api/topics/:topic', async (request) => {
    const { topic } = request.params as { topic: string };
    const description = await existingTopic(log, topic);
    const overrides = description.overrides as unknown as Record<string, unknown>;
    return {
      ...summarize(description),
      topicId: description.topicId,
      partitionList: description.partitions.map((p) => {
        let lastStableOffset = p.highWatermark;
        try {
          lastStableOffset = log.offsets(topic, p.partition).lastStableOffset;
        } catch {
          // deleted meanwhile: the description stands
        }
        return {
          partition: p.partition,
          logStartOffset: p.logStartOffset,
          highWatermark: p.highWatermark,
          lastStableOffset,
          sizeBytes: p.sizeBytes,
        };
      }),
      configs: Object.entries(description.configs as unknown as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, value]) => ({ name, value: configValue(value), override: name in overrides })),
    };
  });

  app.post('/api/topics', async (request, reply) => {
    ctx.writable();
    const body = (request.body ?? {}) as { topic?: unknown; numPartitions?: unknown; configs?: unknown };
    if (typeof body.topic !== 'string' || body.topic === '') {
      throw new ConsoleHttpError(400, 'BAD_REQUEST', 'topic must be a non-empty string');
    }
    const numPartitions = intParam(body.numPartitions, 'numPartitions', 1, 1, 1_000_000);
    const configs = body.configs ?? {};
    if (typeof configs !== 'object' || configs === null || Array.isArray(configs)) {
      throw new ConsoleHttpError(400, 'BAD_REQUEST', 'configs must be an object of config names to values');
    }
    const description = await log.createTopic({
      topic: body.topic,
      numPartitions,
      configs: configs as Record<string, string>,
    });
    return reply.status(201).send(summarize(description));
  });

  app.delete('/api/topics/:topic', async (request) => {
    ctx.writable();
    const { topic } = request.params as { topic: string };
    const body = (request.body ?? {}) as { confirm?: unknown };
    await existingTopic(log, topic);
    if (body.confirm !== topic) {
      throw new ConsoleHttpError(400, 'CONFIRMATION_REQUIRED', `To delete "${topic}", send its name as confirm`);
    }
    await log.deleteTopic(topic);
    return { deleted: topic };
  });

  app.put('/api/topics/:topic/configs', async (request) => {
    ctx.writable();
    const { topic } = request.params as { topic: string };
    const body = (request.body ?? {}) as { configs?: unknown };
    const configs = body.configs;
    if (typeof configs !== 'object' || configs === null || Array.isArray(configs)) {
      throw new ConsoleHttpError(
        400,
        'BAD_REQUEST',
        'configs must be an object of config names to values (null removes)',
      );
    }
    await existingTopic(log, topic);
    const description = await log.alterConfigs(topic, configs as Record<string, unknown>);
    return { name: description.name, overrides: description.overrides };
  });
}
