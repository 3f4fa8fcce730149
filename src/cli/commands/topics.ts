import { type Admin, ConfigResourceTypes } from '../../client/admin.ts';
import { TributaryError } from '../../errors.ts';
import { type CliIo, commandGroup, pairs, parse, positiveInt, UsageError, write } from '../command.ts';
import { withCluster } from '../cluster.ts';
import { LOG_OPTIONS_HELP, logOptions } from '../data-dir.ts';

const USAGE = `Usage: trib topics <command> [options]

Commands:
  create TOPIC [--partitions N] [--config k=v]... [--if-not-exists]
                                                    create a topic (and the data directory)
  list                                              list topics
  describe TOPIC                                    partitions, offsets and configs
  delete TOPIC [--if-exists]                        delete a topic and its records
  alter TOPIC [--partitions N] [--config k=v]... [--delete-config k]...
                                                    grow to N partitions, change configs

TOPIC may also be given as --topic TOPIC, as kafka-topics.sh takes it.

Options:
${LOG_OPTIONS_HELP}
  -h, --help            show help
`;

function help(line: string, ...options: string[]): string {
  return `Usage: trib topics ${line}\n\nOptions:\n${[...options, LOG_OPTIONS_HELP].join('\n')}\n  -h, --help            show help\n`;
}

const TOPIC_HELP = '  -t, --topic TOPIC     the topic, instead of the positional TOPIC';
const JSON_HELP = '  -J, --json            print JSON';
const topicOption = { topic: { type: 'string', short: 't' } } as const;
const jsonOption = { json: { type: 'boolean', short: 'J' } } as const;

/** The topic named by the positional argument or `--topic`, exactly one of them. */
export function oneTopic(positionals: string[], flag: string | undefined, command: string): string {
  const names = flag === undefined ? positionals : [...positionals, flag];
  if (names.length !== 1) throw new UsageError(`trib ${command} takes one TOPIC (or --topic), got ${names.length}`);
  return names[0]!;
}

/**
 * The topic's configs after `changes` (a null value removes one), as a whole. Why: Kafka's
 * AlterConfigs, which the wire admin sends as kafkajs does, replaces every config of the topic with
 * the ones it names; `trib topics alter --config` changes only those given, as kafka-configs.sh
 * does. (The embedded admin already changes only those given.)
 */
async function wholeConfig(
  admin: Admin,
  topic: string,
  changes: { name: string; value: string | null }[],
): Promise<{ name: string; value: string }[]> {
  const described = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    includeSynonyms: false,
  });
  const config = new Map<string, string>();
  for (const entry of described.resources[0]?.configEntries ?? [])
    if (!entry.isDefault && !entry.readOnly) config.set(entry.configName, entry.configValue);
  for (const { name, value } of changes) {
    if (value === null) config.delete(name);
    else config.set(name, value);
  }
  return [...config].map(([name, value]) => ({ name, value }));
}

const subcommands = {
  async create(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      ...logOptions,
      ...topicOption,
      partitions: { type: 'string', short: 'p' },
      config: { type: 'string', multiple: true },
      'if-not-exists': { type: 'boolean' },
    });
    if (values.help) {
      const ifNot = '  --if-not-exists       succeed when the topic exists already';
      const partitions = '  -p, --partitions N    number of partitions (default 1)';
      return write(
        io.stdout,
        help(
          'create TOPIC [--partitions N] [--config k=v]... [--if-not-exists]',
          TOPIC_HELP,
          partitions,
          '  --config k=v          a topic config (repeatable)',
          ifNot,
        ),
      ).then(() => 0);
    }
    const topic = oneTopic(positionals, values.topic, 'topics create');
    const numPartitions = positiveInt(values.partitions, '--partitions') ?? 1;
    const configEntries = pairs(values.config, '--config').map(([name, value]) => ({ name, value }));
    // The one command that starts a log where there is none: a cluster's first topic, see docs/decisions.md.
    const { created, place } = await withCluster(values, io, { create: true }, async ({ tributary, place }) => {
      const admin = tributary.admin();
      await admin.connect();
      const made = await admin.createTopics({ topics: [{ topic, numPartitions, configEntries }] });
      if (!made && values['if-not-exists'] !== true)
        throw new TributaryError('TOPIC_ALREADY_EXISTS', `Topic "${topic}" already exists`, { topic });
      return { created: made, place };
    });
    await write(
      io.stdout,
      created
        ? `Created topic ${topic} with ${numPartitions} partition(s) ${place}\n`
        : `Topic ${topic} exists already ${place}\n`,
    );
    return 0;
  },

  async list(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { ...logOptions, ...jsonOption });
    if (values.help) return write(io.stdout, help('list [--json]', JSON_HELP)).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib topics list takes no arguments');
    const topics = await withCluster(values, io, {}, async ({ tributary }) => {
      const admin = tributary.admin();
      await admin.connect();
      return admin.listTopics();
    });
    await write(io.stdout, values.json === true ? `${JSON.stringify(topics)}\n` : topics.map((t) => `${t}\n`).join(''));
    return 0;
  },

  async describe(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { ...logOptions, ...topicOption, ...jsonOption });
    if (values.help) return write(io.stdout, help('describe TOPIC [--json]', TOPIC_HELP, JSON_HELP)).then(() => 0);
    const topic = oneTopic(positionals, values.topic, 'topics describe');
    const text = await withCluster(values, io, {}, async ({ tributary }) => {
      const admin = tributary.admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topic);
      const configs = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
        includeSynonyms: false,
      });
      const entries = configs.resources[0]!.configEntries;
      if (values.json === true) {
        const partitions = offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
        const config = Object.fromEntries(
          entries.map((e) => [e.configName, { value: e.configValue, isDefault: e.isDefault }]),
        );
        return `${JSON.stringify({ topic, partitions, config })}\n`;
      }
      const lines = [`Topic: ${topic}\tPartitions: ${offsets.length}`];
      for (const entry of entries)
        lines.push(`  ${entry.configName}=${entry.configValue}${entry.isDefault ? '' : ' (set on topic)'}`);
      for (const o of offsets) lines.push(`  Partition: ${o.partition}\tLow: ${o.low}\tHigh: ${o.high}`);
      return `${lines.join('\n')}\n`;
    });
    await write(io.stdout, text);
    return 0;
  },

  async delete(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { ...logOptions, ...topicOption, 'if-exists': { type: 'boolean' } });
    if (values.help)
      return write(
        io.stdout,
        help('delete TOPIC [--if-exists]', TOPIC_HELP, '  --if-exists           succeed when there is no such topic'),
      ).then(() => 0);
    const topic = oneTopic(positionals, values.topic, 'topics delete');
    const { deleted, place } = await withCluster(values, io, {}, async ({ reader, tributary, place }) => {
      const exists = (await reader.listTopics()).includes(topic);
      if (!exists && values['if-exists'] === true) return { deleted: false, place };
      const admin = tributary.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] });
      return { deleted: true, place };
    });
    await write(
      io.stdout,
      deleted ? `Deleted topic ${topic} ${place}\n` : `No topic ${topic} ${place}; nothing to delete\n`,
    );
    return 0;
  },

  async alter(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      ...logOptions,
      ...topicOption,
      partitions: { type: 'string', short: 'p' },
      config: { type: 'string', multiple: true },
      'delete-config': { type: 'string', multiple: true },
      'if-exists': { type: 'boolean' },
    });
    if (values.help) {
      const line = 'alter TOPIC [--partitions N] [--config k=v]... [--delete-config k]... [--if-exists]';
      return write(
        io.stdout,
        help(line, TOPIC_HELP, '  --if-exists           succeed when there is no such topic'),
      ).then(() => 0);
    }
    const topic = oneTopic(positionals, values.topic, 'topics alter');
    const count = positiveInt(values.partitions, '--partitions');
    const configEntries: { name: string; value: string | null }[] = pairs(values.config, '--config').map(
      ([name, value]) => ({ name, value }),
    );
    for (const name of values['delete-config'] ?? []) configEntries.push({ name, value: null });
    if (configEntries.length === 0 && count === undefined)
      throw new UsageError('trib topics alter needs --partitions, --config or --delete-config');
    const { altered, place } = await withCluster(values, io, {}, async ({ log, reader, tributary, place }) => {
      if (values['if-exists'] === true && !(await reader.listTopics()).includes(topic))
        return { altered: false, place };
      const admin = tributary.admin();
      await admin.connect();
      // The count is checked before anything changes, and configs are validated whole: a bad
      // argument leaves the topic as it was.
      if (count !== undefined)
        await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic, count }] });
      if (configEntries.length > 0) {
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: topic,
              configEntries: log === undefined ? await wholeConfig(admin, topic, configEntries) : configEntries,
            },
          ],
        });
      }
      if (count !== undefined) await admin.createPartitions({ topicPartitions: [{ topic, count }] });
      return { altered: true, place };
    });
    await write(
      io.stdout,
      altered ? `Altered topic ${topic} ${place}\n` : `No topic ${topic} ${place}; nothing to alter\n`,
    );
    return 0;
  },
};

export const topicsCommand = commandGroup(
  'topics',
  'create, list, describe, delete and alter topics',
  USAGE,
  subcommands,
);
