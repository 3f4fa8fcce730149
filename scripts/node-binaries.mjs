// Node binaries of other major versions, from npm: the `node-<platform>-<arch>` package that the
// `node` package installs from, kept in $TRIBUTARY_NODE_CACHE (default ~/.cache/tributary-node) so
// later runs download nothing. Used by scripts/test-node-versions.mjs and scripts/test-package.mjs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const cache = process.env.TRIBUTARY_NODE_CACHE ?? join(homedir(), '.cache', 'tributary-node');
const pkg = `node-${process.platform}-${process.arch}`;

/** The path of the `node` executable of that major version, installed first if it is not there. */
export function nodeBinary(major) {
  const prefix = join(cache, String(major));
  const bin = join(prefix, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(bin)) {
    console.log(`node-binaries: installing ${pkg}@${major} into ${prefix}`);
    execFileSync(
      'npm',
      ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `${pkg}@${major}`],
      { stdio: 'inherit' },
    );
  }
  return bin;
}
