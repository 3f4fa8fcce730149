// `node scripts/check-engines.mjs`: every package in package-lock.json that is installed here must
// accept every Node version Tributary supports, by its own `engines.node`. Run by .ci/run.
//
// Why: npm only warns (EBADENGINE) about the Node that runs the install, and only once; a dependency
// that drops a Node line (as cookie 2 dropped Node 20, reached through fastify → light-my-request)
// would otherwise go unnoticed until a user on that line installs the package.
// Runtime dependencies are held to the whole supported range (its lowest 20.x, 22.x and 24.x);
// development tools to the Node versions CI runs (vite wants 22.12+ on the 22 line).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const semver = require('semver'); // npm's own range semantics; installed with the dev tools
const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
const supported = lock.packages[''].engines?.node;
const runtime = ['20.19.0', '22.0.0', '24.0.0'];
const ci = ['20.19.0', '22.12.0', '24.0.0'];

const problems = [];
for (const node of runtime) {
  if (!semver.satisfies(node, supported)) problems.push(`package.json engines.node ${supported} excludes ${node}`);
}
let checked = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  const range = entry.engines?.node;
  if (path === '' || range === undefined) continue;
  if (entry.optional && !existsSync(new URL(`../${path}`, import.meta.url))) continue; // another platform's binary
  checked++;
  for (const node of entry.dev ? ci : runtime) {
    if (!semver.satisfies(node, range))
      problems.push(
        `${path}@${entry.version} (${entry.dev ? 'dev' : 'runtime'}) wants node ${range}: excludes ${node}`,
      );
  }
}
if (problems.length > 0) {
  console.error(`check-engines: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `check-engines: ${checked} installed packages accept Node ${runtime.join(', ')} (dev tools: ${ci.join(', ')})`,
);
