import type { Admin } from '../../client/admin.ts';
import { TributaryError } from '../../errors.ts';
import { type CliReader, withCluster } from '../cluster.ts';
import { type CliIo, commandGroup, parse, UsageError, write } from '../command.ts';
import { LOG_OPTIONS_HELP, logOptions } from '../data-dir.ts';
import { clampOffset, parseTime } from '../offsets.ts';

const RESET_LINE = `reset GROUP (--topic T[:P,P...]... | --all-topics)
        (--to-earliest | --to-latest | --to-offset N | --shift-by N | --to-datetime TIME | --to-current)
        [--execute]`;

const USAGE = `Usage: trib groups <command> [options]

Commands:
  list                          list consumer groups
  describe GROUP                state, members, and per partition: committed offset, end and lag
  ${RESET_LINE}
                                show (or with --execute, make) new committed offsets
                                of a group with no running members
  delete GROUP                  delete a stopped group and its offsets

Options:
${LOG_OPTIONS_HELP}
  -h, --help            show help
`;

const RESET_HELP = `Usage: trib groups ${RESET_LINE}

Moves a group's committed offsets, as kafka-consumer-groups.sh --reset-offsets does: prints
the plan and changes nothing unless given --execute. Every new offset is clamped to the
partition's [log start, end]. Only a group without running members can be reset.

Options:
  -t, --topic T[:P,P...]  a topic, or some of its partitions (repeatable)
      --all-topics        every topic the group has committed offsets in
      --to-earliest       the log start offset
      --to-latest         the end of the log
      --to-offset N       offset N
      --shift-by N        the committed offset plus N (N may be negative)
      --to-datetime TIME  the first record at or after TIME (ISO date or epoch ms)
      --to-current        the committed offset (clamped into range)
      --dry-run           print the plan only (the default)
      --execute           commit the new offsets
  -J, --json              print the plan as JSON
${LOG_OPTIONS_HELP}
  -h, --help              show help
`;

function help(line: string, ...options: string[]): string {
  return `Usage: trib groups ${line}\n\nOptions:\n${[...options, LOG_OPTIONS_HELP].join('\n')}\n  -h, --help            show help\n`;
}

const JSON_HELP = '  -J, --json            print JSON';
const jsonOption = { json: { type: 'boolean', short: 'J' } } as const;

function oneGroup(positionals: string[], command: string): string {
  if (positionals.length !== 1)
    throw new UsageError(`trib groups ${command} takes one GROUP, got ${positionals.length}`);
  return positionals[0]!;
}

async function connected(admin: Admin): Promise<Admin> {
  await admin.connect();
  return admin;
}

/** One way to pick a new offset, from `--to-*` or `--shift-by`. */
type Target =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'current' }
  | { kind: 'offset'; offset: number }
  | { kind: 'shift'; by: number }
  | { kind: 'datetime'; ms: number };

function target(values: {
  'to-earliest'?: boolean | undefined;
  'to-latest'?: boolean | undefined;
  'to-current'?: boolean | undefined;
  'to-offset'?: string | undefined;
  'shift-by'?: string | undefined;
  'to-datetime'?: string | undefined;
}): Target {
  const found: Target[] = [];
  if (values['to-earliest'] === true) found.push({ kind: 'earliest' });
  if (values['to-latest'] === true) found.push({ kind: 'latest' });
  if (values['to-current'] === true) found.push({ kind: 'current' });
  if (values['to-offset'] !== undefined) {
    const n = Number(values['to-offset']);
    if (!/^\d+$/.test(values['to-offset']) || !Number.isSafeInteger(n))
      throw new UsageError(`--to-offset takes a non-negative integer, got "${values['to-offset']}"`);
    found.push({ kind: 'offset', offset: n });
  }
  if (values['shift-by'] !== undefined) {
    const n = Number(values['shift-by']);
    if (!/^[-+]?\d+$/.test(values['shift-by']) || !Number.isSafeInteger(n))
      throw new UsageError(`--shift-by takes an integer, got "${values['shift-by']}"`);
    found.push({ kind: 'shift', by: n });
  }
  if (values['to-datetime'] !== undefined)
    found.push({ kind: 'datetime', ms: parseTime(values['to-datetime'], '--to-datetime') });
  if (found.length !== 1)
    throw new UsageError(
      'trib groups reset needs exactly one of --to-earliest, --to-latest, --to-offset, --shift-by, --to-datetime, --to-current',
    );
  return found[0]!;
}

/** `--topic orders` or `--topic orders:0,2`: a topic and the partitions chosen (undefined: all). */
function topicSelection(raw: string): { topic: string; partitions: number[] | undefined } {
  const at = raw.lastIndexOf(':');
  if (at < 0) return { topic: raw, partitions: undefined };
  const partitions = raw
    .slice(at + 1)
    .split(',')
    .map((p) => {
      if (!/^\d+$/.test(p.trim())) throw new UsageError(`--topic takes TOPIC or TOPIC:P,P..., got "${raw}"`);
      return Number(p.trim());
    });
  return { topic: raw.slice(0, at), partitions };
}

interface PlannedOffset {
  topic: string;
  partition: number;
  /** The committed offset now; null when the group has none there. */
  current: number | null;
  newOffset: number;
}

async function newOffset(
  log: CliReader,
  groupId: string,
  topic: string,
  partition: number,
  current: number | null,
  to: Target,
): Promise<number> {
  const { logStartOffset, highWatermark } = log.offsets(topic, partition);
  switch (to.kind) {
    case 'earliest':
      return logStartOffset;
    case 'latest':
      return highWatermark;
    case 'offset':
      return clampOffset(log, topic, partition, to.offset);
    case 'current':
    case 'shift':
      if (current === null) {
        throw new TributaryError(
          'INVALID_REQUEST',
          `Cannot ${to.kind === 'shift' ? 'shift' : 'keep'} the offset of ${topic}:${partition}: group "${groupId}" has no committed offset there`,
          {
            topic,
            partition,
            groupId,
          },
        );
      }
      return clampOffset(log, topic, partition, current + (to.kind === 'shift' ? to.by : 0));
    case 'datetime':
      return (await log.offsetForTimestamp(topic, partition, to.ms)) ?? highWatermark;
  }
}

const subcommands = {
  async list(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { ...logOptions, ...jsonOption });
    if (values.help) return write(io.stdout, help('list [--json]', JSON_HELP)).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib groups list takes no arguments');
    const { groups } = await withCluster(values, io, {}, async ({ tributary }) =>
      (await connected(tributary.admin())).listGroups(),
    );
    await write(
      io.stdout,
      values.json === true
        ? `${JSON.stringify(groups.map((g) => g.groupId))}\n`
        : groups.map((g) => `${g.groupId}\n`).join(''),
    );
    return 0;
  },

  async describe(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { ...logOptions, ...jsonOption });
    if (values.help) return write(io.stdout, help('describe GROUP [--json]', JSON_HELP)).then(() => 0);
    const groupId = oneGroup(positionals, 'describe');
    const text = await withCluster(values, io, {}, async ({ tributary }) => {
      const admin = await connected(tributary.admin());
      const [group] = (await admin.describeGroups([groupId])).groups;
      const lag = await admin.fetchConsumerLag({ groupId });
      if (group!.state === 'Dead' && lag.length === 0)
        throw new TributaryError('GROUP_ID_NOT_FOUND', `No group "${groupId}"`, { groupId });
      if (values.json === true) {
        const partitions = lag.flatMap((t) =>
          t.partitions.map((p) => ({
            topic: t.topic,
            partition: p.partition,
            offset: Number(p.offset),
            end: Number(p.high),
            lag: Number(p.lag),
          })),
        );
        return `${JSON.stringify({ group: groupId, state: group!.state, members: group!.members.length, partitions })}\n`;
      }
      const lines = [
        `Group: ${groupId}\tState: ${group!.state}\tMembers: ${group!.members.length}`,
        'TOPIC\tPARTITION\tOFFSET\tEND\tLAG',
      ];
      for (const t of lag)
        for (const p of t.partitions) lines.push(`${t.topic}\t${p.partition}\t${p.offset}\t${p.high}\t${p.lag}`);
      return `${lines.join('\n')}\n`;
    });
    await write(io.stdout, text);
    return 0;
  },

  async reset(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      ...logOptions,
      ...jsonOption,
      topic: { type: 'string', short: 't', multiple: true },
      'all-topics': { type: 'boolean' },
      'to-earliest': { type: 'boolean' },
      'to-latest': { type: 'boolean' },
      'to-current': { type: 'boolean' },
      'to-offset': { type: 'string' },
      'shift-by': { type: 'string' },
      'to-datetime': { type: 'string' },
      'dry-run': { type: 'boolean' },
      execute: { type: 'boolean' },
    });
    if (values.help) return write(io.stdout, RESET_HELP).then(() => 0);
    const groupId = oneGroup(positionals, 'reset');
    const selections = (values.topic ?? []).map(topicSelection);
    if (selections.length > 0 === (values['all-topics'] === true))
      throw new UsageError('trib groups reset needs --topic (one or more) or --all-topics');
    const to = target(values);
    if (values['dry-run'] === true && values.execute === true)
      throw new UsageError('give --dry-run or --execute, not both');
    const execute = values.execute === true;

    const { plan, place } = await withCluster(values, io, {}, async ({ reader: log, tributary, place }) => {
      const admin = await connected(tributary.admin());
      const [group] = (await admin.describeGroups([groupId])).groups;
      if (group!.members.length > 0) {
        throw new TributaryError(
          'NON_EMPTY_GROUP',
          `Offsets can only be reset while group "${groupId}" has no running members; it has ${group!.members.length} (${group!.state})`,
          { groupId },
        );
      }
      const committed = await admin.fetchOffsets({
        groupId,
        topics: selections.length > 0 ? [...new Set(selections.map((s) => s.topic))] : undefined,
      });
      const chosen =
        selections.length > 0 ? selections : committed.map(({ topic }) => ({ topic, partitions: undefined }));
      const planned: PlannedOffset[] = [];
      for (const { topic, partitions } of chosen) {
        await log.load(topic);
        const count = log.partitionCount(topic);
        for (const partition of partitions ?? Array.from({ length: count }, (_, p) => p)) {
          if (partition >= count)
            throw new TributaryError(
              'UNKNOWN_TOPIC_OR_PARTITION',
              `Topic "${topic}" has no partition ${partition} (it has ${count})`,
              { topic, partition },
            );
          const c = committed.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition);
          const current = c === undefined || c.offset === '-1' ? null : Number(c.offset);
          planned.push({
            topic,
            partition,
            current,
            newOffset: await newOffset(log, groupId, topic, partition, current, to),
          });
        }
      }
      if (execute) {
        for (const topic of new Set(planned.map((p) => p.topic))) {
          const partitions = planned
            .filter((p) => p.topic === topic)
            .map((p) => ({ partition: p.partition, offset: String(p.newOffset) }));
          await admin.setOffsets({ groupId, topic, partitions });
        }
      }
      return { plan: planned, place };
    });
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify({ group: groupId, executed: execute, partitions: plan })}\n`);
    } else {
      const lines = ['GROUP\tTOPIC\tPARTITION\tCURRENT-OFFSET\tNEW-OFFSET'];
      for (const p of plan) lines.push(`${groupId}\t${p.topic}\t${p.partition}\t${p.current ?? '-'}\t${p.newOffset}`);
      await write(io.stdout, `${lines.join('\n')}\n`);
    }
    await write(
      io.stderr,
      execute
        ? `Reset the offsets of group ${groupId} ${place}\n`
        : `Dry run: nothing changed ${place}; add --execute to commit these offsets\n`,
    );
    return 0;
  },

  async delete(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, logOptions);
    if (values.help) return write(io.stdout, help('delete GROUP')).then(() => 0);
    const groupId = oneGroup(positionals, 'delete');
    const place = await withCluster(values, io, {}, async ({ tributary, place }) => {
      await (await connected(tributary.admin())).deleteGroups([groupId]);
      return place;
    });
    await write(io.stdout, `Deleted group ${groupId} ${place}\n`);
    return 0;
  },
};

export const groupsCommand = commandGroup(
  'groups',
  'list, describe, reset and delete consumer groups',
  USAGE,
  subcommands,
);
