/**
 * The pieces every `trib` command shares: its I/O, the data directory, usage errors and the
 * registry the dispatcher reads. Other parts of Tributary add their commands (`trib registry …`,
 * `trib schemas …`) with {@link registerCommand}.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Tributary } from '../client/tributary.ts';
import { logLevel } from '../client/logger.ts';

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

/** Options every command takes. */
export const commonOptions = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const DATA_DIR_HELP = '  --data-dir DIR        the log directory (default: $TRIBUTARY_DATA_DIR or ./.tributary)';

/** parseArgs with strict checking; its errors become one-line usage errors. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
}

/** Opens the Tributary of `--data-dir`, or of TRIBUTARY_DATA_DIR, or ./.tributary. */
export function openTributary(dataDir: string | undefined, io: CliIo): Tributary {
  return new Tributary({ dataDir: dataDir ?? io.env.TRIBUTARY_DATA_DIR ?? './.tributary', clientId: 'trib', logLevel: logLevel.NOTHING });
}

export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** A sub-command table: `trib topics create …`. */
export async function dispatch(
  name: string,
  usage: string,
  subcommands: Record<string, (args: string[], io: CliIo) => Promise<number>>,
  args: string[],
  io: CliIo,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    await write(sub === undefined ? io.stderr : io.stdout, usage);
    return sub === undefined ? 2 : 0;
  }
  const run = subcommands[sub];
  if (run === undefined) throw new UsageError(`unknown command "${name} ${sub}"; try "trib ${name} --help"`);
  return run(rest, io);
}

export function positiveInt(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${option} must be a non-negative integer, got "${value}"`);
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
