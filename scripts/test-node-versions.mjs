// `node scripts/test-node-versions.mjs [major…] [-- vitest args…]`: runs the test suite on other Node
// versions (default: 22 and 24; .ci/run itself runs on the oldest supported, 20). Each Node comes from
// npm (the `node-<platform>-<arch>` package the `node` package installs from), kept in
// $TRIBUTARY_NODE_CACHE (default ~/.cache/tributary-node) so a second run downloads nothing.
//
// vitest runs under that Node and forks its test workers with it; PATH starts with its directory too,
// so tests that start `node` (crash tests, the CLI) get the same version.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const split = process.argv.indexOf('--');
const majors = (split === -1 ? process.argv.slice(2) : process.argv.slice(2, split)).filter(Boolean);
const vitestArgs = split === -1 ? [] : process.argv.slice(split + 1);
const cache = process.env.TRIBUTARY_NODE_CACHE ?? join(homedir(), '.cache', 'tributary-node');
const pkg = `node-${process.platform}-${process.arch}`;

function nodeBinary(major) {
  const prefix = join(cache, major);
  const bin = join(prefix, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(bin)) {
    console.log(`test-node-versions: installing ${pkg}@${major} into ${prefix}`);
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `${pkg}@${major}`], { stdio: 'inherit' });
  }
  return bin;
}

let failed = 0;
for (const major of majors.length > 0 ? majors : ['22', '24']) {
  const node = nodeBinary(major);
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const started = performance.now();
  console.log(`test-node-versions: the suite on Node ${version}`);
  const result = spawnSync(node, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=dot', ...vitestArgs], {
    cwd: root,
    stdio: 'inherit',
    // No JSON report: .vitest-report.json stays the one of the main run.
    env: { ...process.env, CI: '', PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`test-node-versions: Node ${version} ${result.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s`);
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
