import { TributaryError } from '../errors.ts';
import { type CliIo, commandLines, registerCommand, registeredCommands, UsageError, write } from './command.ts';
import { aclsCommand } from './commands/acls.ts';
import { consoleCommand } from './commands/console.ts';
import { consumeCommand } from './commands/consume.ts';
import { doctorCommand } from './commands/doctor.ts';
import { groupsCommand } from './commands/groups.ts';
import { produceCommand } from './commands/produce.ts';
import { registryCommand } from './commands/registry.ts';
import { schemasCommand } from './commands/schemas.ts';
import { serveCommand } from './commands/serve.ts';
import { topicsCommand } from './commands/topics.ts';
import { usersCommand } from './commands/users.ts';
import { closest } from './suggest.ts';
import { packageVersion } from './version.ts';

// Every command registers here, one line each. src/cli is the one part of src/ that may
// import schema-registry/: it sits above it in the layers (see docs/decisions.md).
registerCommand('topics', topicsCommand);
registerCommand('produce', produceCommand);
registerCommand('consume', consumeCommand);
registerCommand('groups', groupsCommand);
registerCommand('registry', registryCommand);
registerCommand('schemas', schemasCommand);
registerCommand('serve', serveCommand);
registerCommand('doctor', doctorCommand);
registerCommand('console', consoleCommand);
registerCommand('users', usersCommand);
registerCommand('acls', aclsCommand);

/** `trib --help`. */
export function usage(): string {
  const lines = ['Usage: trib <command> [options]', '', 'Commands:'];
  for (const [name, command] of registeredCommands()) lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  lines.push(
    '',
    'Every command takes --help. Commands on the log take --data-dir DIR (or $TRIBUTARY_DATA_DIR;',
    'default ./.tributary) and refuse a directory with no Tributary data unless given --create.',
    'They take -b/--bootstrap-server HOST:PORT[,HOST:PORT...] to work on Kafka brokers instead',
    '(trib serve, Apache Kafka, Redpanda), and reach a directory that a running trib serve owns',
    'through that broker.',
    '',
    'Options:',
    '  -V, --version         print the version',
    '  -h, --help            show help',
    '',
    'Environment:',
    '  TRIBUTARY_DATA_DIR    the default data directory',
    '  TRIB_LOG_LEVEL        nothing (default), error, warn, info or debug: log lines, as JSON, on',
    '                        stderr (KAFKAJS_LOG_LEVEL works too)',
    '  TRIB_BOOTSTRAP_SERVER Kafka brokers, as --bootstrap-server, when no --data-dir is given',
    '',
    'Exit codes: 0 success, 1 failure ("trib: message [CODE]" on stderr), 2 bad usage.',
    '',
  );
  return lines.join('\n');
}

function unknownCommand(name: string, next: string | undefined): UsageError {
  // `trib topic create` means `topics create`; `trib create` too.
  const lines = commandLines();
  const typed = next === undefined || next.startsWith('-') ? name : `${name} ${next}`;
  const guess = closest(typed, lines) ?? closest(name, lines) ?? lines.find((line) => line.endsWith(` ${name}`));
  return new UsageError(
    `unknown command "${name}"; ${guess === undefined ? 'try "trib --help"' : `did you mean "${guess}"?`}`,
  );
}

/**
 * Runs `trib` with `argv` (the arguments after the program name) and resolves to the exit code:
 * 0 on success, 2 for bad arguments, 1 for any other failure, printed as `trib: message [CODE]`.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      await write(name === undefined ? io.stderr : io.stdout, usage());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-V' || name === 'version') {
      await write(io.stdout, `trib ${await packageVersion()}\n`);
      return 0;
    }
    if (name.startsWith('-'))
      throw new UsageError(`"${name}" before a command; flags go after it, as in "trib topics list ${name}"`);
    const command = registeredCommands().get(name);
    if (command === undefined) throw unknownCommand(name, rest[0]);
    return await command.run(rest, io);
  } catch (err) {
    const code = err instanceof TributaryError ? ` [${err.code}]` : '';
    const message = err instanceof Error ? err.message : String(err);
    await write(io.stderr, `trib: ${message.split('\n')[0]}${code}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
