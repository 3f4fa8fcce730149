import { type CliIo, DATA_DIR_HELP, dispatch, openTributary, parse, positiveInt, UsageError, write } from '../command.ts';

const USAGE = `Usage: trib groups <command> [options]

Commands:
  list                          list consumer groups
  describe GROUP                state, members, and per partition: committed offset, end and lag
  reset GROUP --topic T (--to-earliest | --to-latest | --to-offset N)
                                move a stopped group's committed offsets
  delete GROUP                  delete a stopped group and its offsets

Options:
${DATA_DIR_HELP}
  -h, --help            show help
`;

function help(line: string): string {
  return `Usage: trib groups ${line}\n\nOptions:\n${DATA_DIR_HELP}\n  -h, --help            show help\n`;
}

function oneGroup(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`trib groups ${command} takes one GROUP, got ${positionals.length}`);
  return positionals[0]!;
}

async function withAdmin<T>(dataDir: string | undefined, io: CliIo, task: (admin: ReturnType<ReturnType<typeof openTributary>['admin']>) => Promise<T>): Promise<T> {
  const admin = openTributary(dataDir, io).admin();
  await admin.connect();
  try {
    return await task(admin);
  } finally {
    await admin.disconnect();
  }
}

const subcommands = {
  async list(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {});
    if (values.help) return write(io.stdout, help('list')).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib groups list takes no arguments');
    const { groups } = await withAdmin(values['data-dir'], io, (admin) => admin.listGroups());
    await write(io.stdout, groups.map((g) => `${g.groupId}\n`).join(''));
    return 0;
  },

  async describe(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {});
    if (values.help) return write(io.stdout, help('describe GROUP')).then(() => 0);
    const groupId = oneGroup(positionals, 'describe');
    const text = await withAdmin(values['data-dir'], io, async (admin) => {
      const [group] = (await admin.describeGroups([groupId])).groups;
      const lag = await admin.fetchConsumerLag({ groupId });
      if (group!.state === 'Dead' && lag.length === 0) throw new UsageError(`no group "${groupId}"`);
      const lines = [`Group: ${groupId}\tState: ${group!.state}\tMembers: ${group!.members.length}`, 'TOPIC\tPARTITION\tOFFSET\tEND\tLAG'];
      for (const t of lag) for (const p of t.partitions) lines.push(`${t.topic}\t${p.partition}\t${p.offset}\t${p.high}\t${p.lag}`);
      return `${lines.join('\n')}\n`;
    });
    await write(io.stdout, text);
    return 0;
  },

  async reset(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      topic: { type: 'string', short: 't' },
      'to-earliest': { type: 'boolean' },
      'to-latest': { type: 'boolean' },
      'to-offset': { type: 'string' },
    });
    if (values.help) return write(io.stdout, help('reset GROUP --topic T (--to-earliest | --to-latest | --to-offset N)')).then(() => 0);
    const groupId = oneGroup(positionals, 'reset');
    const topic = values.topic;
    if (topic === undefined) throw new UsageError('trib groups reset needs --topic');
    const offset = positiveInt(values['to-offset'], '--to-offset');
    const chosen = [values['to-earliest'], values['to-latest'], offset !== undefined].filter(Boolean).length;
    if (chosen !== 1) throw new UsageError('trib groups reset needs exactly one of --to-earliest, --to-latest, --to-offset');
    await withAdmin(values['data-dir'], io, async (admin) => {
      if (offset !== undefined) {
        const partitions = (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, offset: String(offset) }));
        await admin.setOffsets({ groupId, topic, partitions });
      } else {
        await admin.resetOffsets({ groupId, topic, earliest: values['to-earliest'] === true });
      }
    });
    await write(io.stdout, `Reset offsets of group ${groupId} on ${topic}\n`);
    return 0;
  },

  async delete(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {});
    if (values.help) return write(io.stdout, help('delete GROUP')).then(() => 0);
    const groupId = oneGroup(positionals, 'delete');
    await withAdmin(values['data-dir'], io, (admin) => admin.deleteGroups([groupId]));
    await write(io.stdout, `Deleted group ${groupId}\n`);
    return 0;
  },
};

export const groupsCommand = {
  summary: 'list, describe, reset and delete consumer groups',
  run: (args: string[], io: CliIo) => dispatch('groups', USAGE, subcommands, args, io),
};
