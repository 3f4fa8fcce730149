/**
 * The `trib` command. Run it with `npx trib …` (package.json `bin`), or from a checkout with
 * `npx tsx src/cli/trib.ts …`.
 */
import { runCli } from './main.ts';

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
