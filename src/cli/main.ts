import { TributaryError } from '../errors.ts';
import { type CliIo, registerCommand, registeredCommands, UsageError, write } from './command.ts';
import { consumeCommand } from './commands/consume.ts';
import { groupsCommand } from './commands/groups.ts';
import { produceCommand } from './commands/produce.ts';
import { registryCommand } from './commands/registry.ts';
import { schemasCommand } from './commands/schemas.ts';
import { serveCommand } from './commands/serve.ts';
import { topicsCommand } from './commands/topics.ts';

// Every command group registers here, one line each. src/cli is the one part of src/ that may
// import schema-registry/: it sits above it in the layers (see docs/decisions.md).
registerCommand('topics', topicsCommand);
registerCommand('produce', produceCommand);
registerCommand('consume', consumeCommand);
registerCommand('groups', groupsCommand);
registerCommand('registry', registryCommand);
registerCommand('schemas', schemasCommand);
registerCommand('serve', serveCommand);

function usage(): string {
  const lines = ['Usage: trib <command> [options]', '', 'Commands:'];
  for (const [name, command] of registeredCommands()) lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  lines.push('', 'Every command takes --data-dir DIR (or $TRIBUTARY_DATA_DIR) and --help.', '');
  return lines.join('\n');
}

/**
 * Runs `trib` with `argv` (the arguments after the program name) and resolves to the exit code:
 * 0 on success, 2 for bad arguments, 1 for any other failure. Errors are one line on stderr.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      await write(name === undefined ? io.stderr : io.stdout, usage());
      return name === undefined ? 2 : 0;
    }
    const command = registeredCommands().get(name);
    if (command === undefined) throw new UsageError(`unknown command "${name}"; try "trib --help"`);
    return await command.run(rest, io);
  } catch (err) {
    const code = err instanceof TributaryError ? ` [${err.code}]` : '';
    const message = err instanceof Error ? err.message : String(err);
    await write(io.stderr, `trib: ${message.split('\n')[0]}${code}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
