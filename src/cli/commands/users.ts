/**
 * `trib users create|delete|list`: SCRAM users of the broker, kept salted in the data directory's
 * hidden security topic (Kafka's `kafka-configs --alter --add-config 'SCRAM-SHA-512=[password=…]'
 * --entity-type users`). The password is read from `--password`, or from stdin with
 * `--password-stdin`, and never printed.
 */
import { SecurityStore } from '../../security/store.ts';
import {
  SCRAM_MAX_ITERATIONS,
  SCRAM_MECHANISMS,
  SCRAM_MIN_ITERATIONS,
  type ScramMechanism,
} from '../../security/scram.ts';
import { type CliIo, commandGroup, parse, positiveInt, UsageError, write } from '../command.ts';
import { withLog } from '../cluster.ts';
import { LOG_OPTIONS_HELP, logOptions } from '../data-dir.ts';

const WHERE = {
  command: 'users',
  instead:
    'Over the wire, use kafka-configs.sh --alter --add-config SCRAM-SHA-256=... or the admin API against the broker.',
};

const USAGE = `Usage: trib users <command> [options]

SCRAM users the broker (trib serve with a SASL listener) authenticates, stored salted in the log.

Commands:
  create USER (--password PW | --password-stdin) [--mechanism M]... [--iterations N]
                        add a user, or set a new password
  delete USER [--mechanism M]...
                        remove a user's credentials (all mechanisms by default)
  list [--json]         users and their mechanisms (never a password or key)

Options:
  --mechanism M         SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable; default both)
  --iterations N        ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_ITERATIONS} (default ${SCRAM_MIN_ITERATIONS})
${LOG_OPTIONS_HELP}
  -h, --help            show help
`;

function mechanismsOf(values: string[] | undefined): ScramMechanism[] {
  if (values === undefined || values.length === 0) return [...SCRAM_MECHANISMS];
  return values.map((m) => {
    const upper = m.toUpperCase();
    if (!(SCRAM_MECHANISMS as readonly string[]).includes(upper)) {
      throw new UsageError(`--mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512, got ${m}`);
    }
    return upper as ScramMechanism;
  });
}

function oneUser(positionals: string[], command: string): string {
  if (positionals.length !== 1 || positionals[0] === '')
    throw new UsageError(`trib users ${command} takes one USER, got ${positionals.length}`);
  return positionals[0]!;
}

async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const mechanismOption = { mechanism: { type: 'string', multiple: true } } as const;

const subcommands = {
  async create(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      ...logOptions,
      ...mechanismOption,
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      iterations: { type: 'string' },
    });
    if (values.help) return write(io.stdout, USAGE).then(() => 0);
    const user = oneUser(positionals, 'create');
    if ((values.password === undefined) === (values['password-stdin'] !== true)) {
      throw new UsageError('trib users create needs one of --password PW or --password-stdin');
    }
    const password = values.password ?? (await readStdin(io));
    if (password === '') throw new UsageError('the password must not be empty');
    const iterations = positiveInt(values.iterations, '--iterations');
    const mechanisms = mechanismsOf(values.mechanism);
    await withLog(values, io, WHERE, async ({ log }) => {
      const store = await SecurityStore.open(log);
      for (const m of mechanisms) await store.upsertScram(user, m, password, { iterations });
    });
    await write(io.stdout, `User ${user}: ${mechanisms.join(', ')} credentials stored\n`);
    return 0;
  },

  async delete(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { ...logOptions, ...mechanismOption });
    if (values.help) return write(io.stdout, USAGE).then(() => 0);
    const user = oneUser(positionals, 'delete');
    const mechanisms = mechanismsOf(values.mechanism);
    const deleted = await withLog(values, io, WHERE, async ({ log }) => {
      const store = await SecurityStore.open(log);
      const done: ScramMechanism[] = [];
      for (const m of mechanisms) if (await store.deleteScram(user, m)) done.push(m);
      return done;
    });
    if (deleted.length === 0) {
      await write(io.stderr, `No ${mechanisms.join(' or ')} credential for user ${user}\n`);
      return 1;
    }
    await write(io.stdout, `User ${user}: ${deleted.join(', ')} credentials deleted\n`);
    return 0;
  },

  async list(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { ...logOptions, json: { type: 'boolean', short: 'J' } });
    if (values.help) return write(io.stdout, USAGE).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib users list takes no arguments');
    const users = await withLog(values, io, WHERE, async ({ log }) => (await SecurityStore.open(log)).scramUsers());
    await write(
      io.stdout,
      values.json === true
        ? `${JSON.stringify(users)}\n`
        : users
            .map(
              (u) => `${u.user}\t${u.credentials.map((c) => `${c.mechanism}(iterations=${c.iterations})`).join(' ')}\n`,
            )
            .join(''),
    );
    return 0;
  },
};

export const usersCommand = commandGroup(
  'users',
  'create, delete and list SCRAM users of the broker',
  USAGE,
  subcommands,
);
