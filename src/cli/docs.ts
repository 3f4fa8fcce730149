/**
 * docs/cli.md, generated from the commands' own `--help` so the reference cannot drift from the
 * program: `npm run docs:cli` writes it, and a test checks the committed file against it.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './command.ts';
import { registeredCommands } from './command.ts';
import { runCli } from './main.ts';

/** The text `trib …args --help` prints. */
async function helpOf(args: string[]): Promise<string> {
  let text = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  const io: CliIo = { stdin: Readable.from([]), stdout: sink, stderr: sink, env: {} };
  const code = await runCli([...args, '--help'], io);
  if (code !== 0) throw new Error(`trib ${args.join(' ')} --help exited with ${code}: ${text}`);
  return text.trimEnd();
}

/** The whole reference as Markdown. */
export async function cliReference(): Promise<string> {
  const parts = [
    '# `trib` command reference',
    '',
    "<!-- Generated from the commands' own --help by `npm run docs:cli`; do not edit by hand. -->",
    '',
    'Run it as `npx trib …` (in this repository, or in a project that installed Tributary).',
    '',
    '```text',
    await helpOf([]),
    '```',
  ];
  for (const [name, command] of registeredCommands()) {
    const lines =
      command.subcommands === undefined ? [[name]] : [[name], ...command.subcommands.map((sub) => [name, sub])];
    for (const args of lines) parts.push('', `## trib ${args.join(' ')}`, '', '```text', await helpOf(args), '```');
  }
  return `${parts.join('\n')}\n`;
}

/** Where the reference lives in the repository. */
export const CLI_DOCS = resolve(fileURLToPath(import.meta.url), '../../../docs/cli.md');

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeFile(CLI_DOCS, await cliReference());
  process.stdout.write(`Wrote ${CLI_DOCS}\n`);
}
