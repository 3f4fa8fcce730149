/**
 * The consumer groups API: each group's state and members with their assignments, and per
 * partition its committed offset, end offset and lag, with totals. Resetting offsets (earliest,
 * latest, a timestamp or an offset) answers a preview unless `apply` is true, and is refused for a
 * group with members, as `kafka-consumer-groups.sh --reset-offsets` refuses it.
 */
import type { FastifyInstance } from 'fastify';
import { AssignerProtocol } from '../../client/group/assigner-protocol.ts';
import { ConsoleHttpError, intParam } from '../http-errors.ts';
import type { ConsoleContext } from './context.ts';
import { existingTopic } from './topics.ts';

interface PartitionLagRow {
  topic: string;
  partition: number;
  committed: number | null;
  end: number;
  lag: number;
}

async function lagRows(ctx: ConsoleContext, groupId: string): Promise<PartitionLagRow[]> {
  const rows: PartitionLagRow[] = [];
  for (const { topic, partitions } of await ctx.admin.fetchConsumerLag({ groupId })) {
    for (const p of partitions) {
      rows.push({
        topic,
        partition: p.partition,
        committed: p.offset === '-1' ? null : Number(p.offset),
        end: Number(p.high),
        lag: Number(p.lag),
      });
    }
  }
  return rows;
}

export function groupRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { admin, log } = ctx;

  app.get('/api/groups', async () => {
    const ids = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
    const described = ids.length === 0 ? [] : (await admin.describeGroups(ids)).groups;
    const groups = [];
    for (const g of described) {
      const rows = await lagRows(ctx, g.groupId);
      groups.push({
        groupId: g.groupId,
        state: g.state,
        members: g.members.length,
        topics: [...new Set(rows.map((r) => r.topic))],
        lag: rows.reduce((sum, r) => sum + r.lag, 0),
      });
    }
    return { groups };
  });

  app.get('/api/groups/:group', async (request) => {
    const { group } = request.params as { group: string };
    const ids = (await admin.listGroups()).groups.map((g) => g.groupId);
    if (!ids.includes(group)) throw new ConsoleHttpError(404, 'GROUP_ID_NOT_FOUND', `No group "${group}"`);
    const [description] = (await admin.describeGroups([group])).groups;
    const rows = await lagRows(ctx, group);
    const owner = new Map<string, string>();
    const members = (description?.members ?? []).map((m) => {
      const decoded =
        m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
      const assignment = decoded?.assignment ?? {};
      for (const [topic, partitions] of Object.entries(assignment)) {
        for (const p of partitions) owner.set(`${topic}\u0000${p}`, m.memberId);
      }
      return { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignment };
    });
    return {
      groupId: group,
      state: description?.state ?? 'Unknown',
      protocol: description?.protocol ?? '',
      members,
      partitions: rows.map((r) => ({ ...r, member: owner.get(`${r.topic}\u0000${r.partition}`) ?? null })),
      totalLag: rows.reduce((sum, r) => sum + r.lag, 0),
      lagHistory: ctx.metrics.points().map((p) => ({ at: p.at, lag: p.lag[group] ?? null })),
    };
  });

  app.post('/api/groups/:group/reset', async (request) => {
    const { group } = request.params as { group: string };
    const body = (request.body ?? {}) as { topic?: unknown; to?: unknown; value?: unknown; apply?: unknown };
    if (typeof body.topic !== 'string') throw new ConsoleHttpError(400, 'BAD_REQUEST', 'topic must be a string');
    const to = body.to;
    if (to !== 'earliest' && to !== 'latest' && to !== 'timestamp' && to !== 'offset') {
      throw new ConsoleHttpError(400, 'BAD_REQUEST', 'to must be earliest, latest, timestamp or offset');
    }
    const apply = body.apply === true;
    if (apply) ctx.writable();
    const description = await existingTopic(log, body.topic);
    const [state] = (await admin.describeGroups([group])).groups;
    if (state !== undefined && state.members.length > 0) {
      throw new ConsoleHttpError(
        409,
        'NON_EMPTY_GROUP',
        `Group "${group}" has ${state.members.length} active member(s); stop them before resetting its offsets`,
      );
    }
    const current = new Map<number, number | null>();
    for (const r of await lagRows(ctx, group)) if (r.topic === body.topic) current.set(r.partition, r.committed);
    const plan = [];
    for (const p of description.partitions) {
      let target: number;
      if (to === 'earliest') target = p.logStartOffset;
      else if (to === 'latest') target = p.highWatermark;
      else if (to === 'offset') {
        // Clamped to the partition as kafka-consumer-groups.sh clamps it.
        const wanted = intParam(body.value, 'value', 0, 0, Number.MAX_SAFE_INTEGER);
        target = Math.min(Math.max(wanted, p.logStartOffset), p.highWatermark);
      } else {
        const text = String(body.value ?? '');
        const at = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
        if (!Number.isSafeInteger(at) || at < 0) {
          throw new ConsoleHttpError(
            400,
            'BAD_REQUEST',
            `value must be epoch milliseconds or an ISO date; got ${text}`,
          );
        }
        target = (await log.offsetForTimestamp(body.topic, p.partition, at)) ?? p.highWatermark;
      }
      plan.push({ partition: p.partition, from: current.get(p.partition) ?? null, to: target });
    }
    if (apply) {
      await admin.setOffsets({
        groupId: group,
        topic: body.topic,
        partitions: plan.map((p) => ({ partition: p.partition, offset: String(p.to) })),
      });
    }
    return { groupId: group, topic: body.topic, applied: apply, partitions: plan };
  });
}
