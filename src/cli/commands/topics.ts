import { ConfigResourceTypes } from '../../client/admin.ts';
import { type CliIo, DATA_DIR_HELP, dispatch, openTributary, pairs, parse, positiveInt, UsageError, write } from '../command.ts';

const USAGE = `Usage: trib topics <command> [options]

Commands:
  create TOPIC [--partitions N] [--config k=v]...   create a topic
  list                                              list topics
  describe TOPIC                                    partitions, offsets and configs
  delete TOPIC                                      delete a topic and its records
  alter TOPIC [--partitions N] [--config k=v]... [--delete-config k]...
                                                    grow to N partitions, change configs

Options:
${DATA_DIR_HELP}
  -h, --help            show help
`;

function help(line: string): string {
  return `Usage: trib topics ${line}\n\nOptions:\n${DATA_DIR_HELP}\n  -h, --help            show help\n`;
}

async function withAdmin<T>(dataDir: string | undefined, io: CliIo, task: (admin: ReturnType<ReturnType<typeof openTributary>['admin']>) => Promise<T>): Promise<T> {
  const tributary = openTributary(dataDir, io);
  const admin = tributary.admin();
  await admin.connect();
  try {
    return await task(admin);
  } finally {
    await admin.disconnect();
  }
}

function oneTopic(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`trib topics ${command} takes one TOPIC, got ${positionals.length}`);
  return positionals[0]!;
}

const subcommands = {
  async create(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { partitions: { type: 'string', short: 'p' }, config: { type: 'string', multiple: true } });
    if (values.help) return write(io.stdout, help('create TOPIC [--partitions N] [--config k=v]...')).then(() => 0);
    const topic = oneTopic(positionals, 'create');
    const numPartitions = positiveInt(values.partitions, '--partitions') ?? 1;
    const configEntries = pairs(values.config, '--config').map(([name, value]) => ({ name, value }));
    await withAdmin(values['data-dir'], io, async (admin) => {
      if (!(await admin.createTopics({ topics: [{ topic, numPartitions, configEntries }] }))) {
        throw new UsageError(`topic "${topic}" already exists`);
      }
    });
    await write(io.stdout, `Created topic ${topic} with ${numPartitions} partition(s)\n`);
    return 0;
  },

  async list(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {});
    if (values.help) return write(io.stdout, help('list')).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib topics list takes no arguments');
    const topics = await withAdmin(values['data-dir'], io, (admin) => admin.listTopics());
    await write(io.stdout, topics.map((t) => `${t}\n`).join(''));
    return 0;
  },

  async describe(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {});
    if (values.help) return write(io.stdout, help('describe TOPIC')).then(() => 0);
    const topic = oneTopic(positionals, 'describe');
    const text = await withAdmin(values['data-dir'], io, async (admin) => {
      const offsets = await admin.fetchTopicOffsets(topic);
      const configs = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: false });
      const lines = [`Topic: ${topic}\tPartitions: ${offsets.length}`];
      for (const entry of configs.resources[0]!.configEntries) {
        lines.push(`  ${entry.configName}=${entry.configValue}${entry.isDefault ? '' : ' (set on topic)'}`);
      }
      for (const o of offsets) lines.push(`  Partition: ${o.partition}\tLow: ${o.low}\tHigh: ${o.high}`);
      return `${lines.join('\n')}\n`;
    });
    await write(io.stdout, text);
    return 0;
  },

  async delete(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {});
    if (values.help) return write(io.stdout, help('delete TOPIC')).then(() => 0);
    const topic = oneTopic(positionals, 'delete');
    await withAdmin(values['data-dir'], io, (admin) => admin.deleteTopics({ topics: [topic] }));
    await write(io.stdout, `Deleted topic ${topic}\n`);
    return 0;
  },

  async alter(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      partitions: { type: 'string', short: 'p' },
      config: { type: 'string', multiple: true },
      'delete-config': { type: 'string', multiple: true },
    });
    if (values.help) return write(io.stdout, help('alter TOPIC [--partitions N] [--config k=v]... [--delete-config k]...')).then(() => 0);
    const topic = oneTopic(positionals, 'alter');
    const count = positiveInt(values.partitions, '--partitions');
    const configEntries: { name: string; value: string | null }[] = pairs(values.config, '--config').map(([name, value]) => ({ name, value }));
    for (const name of values['delete-config'] ?? []) configEntries.push({ name, value: null });
    if (configEntries.length === 0 && count === undefined) throw new UsageError('trib topics alter needs --partitions, --config or --delete-config');
    await withAdmin(values['data-dir'], io, async (admin) => {
      // The count is checked before anything changes, and configs are validated whole: a bad
      // argument leaves the topic as it was.
      if (count !== undefined) await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic, count }] });
      if (configEntries.length > 0) {
        await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries }] });
      }
      if (count !== undefined) await admin.createPartitions({ topicPartitions: [{ topic, count }] });
    });
    await write(io.stdout, `Altered topic ${topic}\n`);
    return 0;
  },
};

export const topicsCommand = {
  summary: 'create, list, describe, delete and alter topics',
  run: (args: string[], io: CliIo) => dispatch('topics', USAGE, subcommands, args, io),
};
