/**
 * The pieces every `trib` command shares: its I/O, argument parsing with plain-worded errors, usage
 * errors and the registry the dispatcher reads. Each part of Tributary adds its commands
 * (`trib registry …`, `trib schemas …`) with {@link registerCommand}.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { closest } from './suggest.ts';

/** Where a command reads and writes; a test hands in its own. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** A top-level command: `trib <name> …`. */
export interface CliCommand {
  /** One line for `trib --help`. */
  summary: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
  /** The names of its sub-commands (`trib topics create`), for help, docs and suggestions. */
  subcommands?: readonly string[];
}

/** Bad arguments: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const commands = new Map<string, CliCommand>();

/**
 * Adds a top-level command to `trib`.
 *
 * @example
 * registerCommand('schemas', { summary: 'Manage schemas', run: async (args, io) => 0 });
 */
export function registerCommand(name: string, command: CliCommand): void {
  commands.set(name, command);
}

export function registeredCommands(): ReadonlyMap<string, CliCommand> {
  return commands;
}

/** Every command line a user can type, `topics create` as well as `produce`: what suggestions pick from. */
export function commandLines(): string[] {
  const lines: string[] = [];
  for (const [name, command] of commands) {
    lines.push(name);
    for (const sub of command.subcommands ?? []) lines.push(`${name} ${sub}`);
  }
  return lines;
}

/** Options every command takes. */
export const commonOptions = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const DATA_DIR_HELP = '  --data-dir DIR        the log directory (default: $TRIBUTARY_DATA_DIR or ./.tributary)';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * parseArgs with strict checking, where a mistake is told in a plain sentence: an unknown flag
 * names the closest known one, a flag without its value says so.
 */
export function parse<O extends Options>(rawArgs: string[], options: O) {
  const all = { ...commonOptions, ...options };
  const args = withNegativeValues(rawArgs, all);
  // A first, lenient pass finds what the strict one would refuse, to word it ourselves.
  const { tokens } = parseArgs({ args, options: all, allowPositionals: true, strict: false, tokens: true });
  const known = new Map<string, { type: string }>();
  for (const [name, option] of Object.entries(all)) {
    known.set(name, option);
    if (option.short !== undefined) known.set(option.short, option);
  }
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const flag = token.rawName;
    const option = known.get(token.name);
    if (option === undefined) {
      const names = Object.keys(all).map((n) => `--${n}`);
      const guess = closest(flag.replace(/=.*$/, ''), names);
      throw new UsageError(`unknown flag ${flag}${guess === undefined ? '' : `; did you mean ${guess}?`}`);
    }
    if (option.type === 'string' && token.value === undefined) throw new UsageError(`${flag} needs a value`);
    if (option.type === 'boolean' && token.inlineValue === true) throw new UsageError(`${flag} takes no value`);
  }
  try {
    return parseArgs({ args, options: all, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
}

/**
 * `--offset -10` and `--shift-by -2`: a negative number after a flag that takes a value is its
 * value, where parseArgs would call it ambiguous. Joined as `--offset=-10`.
 */
function withNegativeValues(args: string[], options: Options): string[] {
  const takesValue = new Set<string>();
  for (const [name, option] of Object.entries(options)) {
    if (option.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (option.short !== undefined) takesValue.add(`-${option.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (takesValue.has(arg) && next !== undefined && /^-\d+$/.test(next)) {
      out.push(
        `${arg.startsWith('--') ? arg : `--${Object.entries(options).find(([, o]) => `-${o.short}` === arg)![0]}`}=${next}`,
      );
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

type Subcommands = Record<string, (args: string[], io: CliIo) => Promise<number>>;

/**
 * A command made of sub-commands (`trib topics create …`), with its usage text shown for
 * `--help` (exit 0) or when the sub-command is missing (exit 2).
 *
 * @example
 * export const topicsCommand = commandGroup('topics', 'manage topics', USAGE, { create, list });
 */
export function commandGroup(name: string, summary: string, usage: string, subcommands: Subcommands): CliCommand {
  return {
    summary,
    subcommands: Object.keys(subcommands),
    run: async (args, io) => {
      const [sub, ...rest] = args;
      if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
        await write(sub === undefined ? io.stderr : io.stdout, usage);
        return sub === undefined ? 2 : 0;
      }
      const run = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
      if (run === undefined) {
        const guess = closest(sub, Object.keys(subcommands));
        throw new UsageError(
          `unknown command "${name} ${sub}"; ${guess === undefined ? `try "trib ${name} --help"` : `did you mean "${name} ${guess}"?`}`,
        );
      }
      return run(rest, io);
    },
  };
}

export function positiveInt(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  // Decimal digits only: Number() would also take 0x10, 1e3 and 0b11.
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${option} must be a non-negative integer, got "${value}"`);
  return n;
}

/** `k=v` pairs of a repeatable option. */
export function pairs(values: string[] | undefined, option: string): [string, string][] {
  return (values ?? []).map((v) => {
    const at = v.indexOf('=');
    if (at <= 0) throw new UsageError(`${option} takes key=value, got "${v}"`);
    return [v.slice(0, at), v.slice(at + 1)];
  });
}
