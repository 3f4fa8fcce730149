// `node scripts/test-node-versions.mjs [--all] [major…] [-- vitest args…]`: runs the test suite on
// other Node versions (default: 22 and 24; .ci/run itself runs everything on the oldest supported,
// 20). The Node binaries come from npm (scripts/node-binaries.mjs).
//
// Without --all, the tests that spend their time starting child processes are left to the Node 20
// run: the kill loops start a writer a few dozen times and SIGKILL it (what they test, LevelDB's and
// the journal's durability, is the same native code on every Node), and the CLI tests start `trib`
// (bundled once per run, test/setup/bundles.ts) a few hundred times (the package test runs the
// compiled `trib` on Node 22 and 24). Everything else runs: the log, protocol, clients, streams and
// registry tests.
//
// vitest runs under that Node and forks its test workers with it; PATH starts with its directory too,
// so a test that starts `node` gets the same version.
import { execFileSync, spawnSync } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from './node-binaries.mjs';

const PROCESS_HEAVY = [
  'test/log/crash.test.ts',
  'test/streams/crash.test.ts',
  'test/client/exactly-once.test.ts',
  'test/cli/**',
];
const root = fileURLToPath(new URL('..', import.meta.url));
const split = process.argv.indexOf('--');
const own = split === -1 ? process.argv.slice(2) : process.argv.slice(2, split);
const all = own.includes('--all');
const majors = own.filter((a) => a !== '--all');
const vitestArgs = [
  ...(split === -1 ? [] : process.argv.slice(split + 1)),
  ...(all ? [] : PROCESS_HEAVY.map((f) => `--exclude=${f}`)),
];

let failed = 0;
for (const major of majors.length > 0 ? majors : ['22', '24']) {
  const node = nodeBinary(major);
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const started = performance.now();
  console.log(`test-node-versions: the suite on Node ${version}`);
  const result = spawnSync(
    node,
    [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=dot', ...vitestArgs],
    {
      cwd: root,
      stdio: 'inherit',
      // No JSON report: .vitest-report.json stays the one of the main run.
      env: { ...process.env, CI: '', PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` },
    },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`test-node-versions: Node ${version} ${result.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s`);
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
