// `npm run build`: the published package, compiled into dist/ (run by `prepack` and by .ci/run).
//
// Two tsc passes: the library (src/ without the CLI, and schema-registry/) with declarations, then the
// CLI as JavaScript only — the CLI is not an API, and its internals need not be nameable in a .d.ts.
// Then esbuild bundles tsc's JavaScript from the package's entry points (`.`, `./testing`,
// `./schema-registry`, `./console` and the CLI) into dist/esm/: one file per entry point and chunks
// for what they share, one copy of every module (so a TributaryError or a Topology is the same class
// whichever entry point it came from), and a chunk per dynamic import (rxjs, LevelDB, the broker, the
// codecs stay loaded on first use). Node's ES-module loader costs about half a millisecond per file,
// and `import 'tributary'` reached over 200 files unbundled: bundled, the first import takes a third of
// the time (docs/benchmarks.md, first import). npm dependencies stay outside the bundle. The .d.ts
// files stay where tsc wrote them (dist/src/, dist/schema-registry/); the unbundled .js files are
// removed, so the package ships each module once.
// The sources import each other with `.ts` extensions; `rewriteRelativeImportExtensions` turns those
// into `.js` in the emitted JavaScript, but tsc leaves them as written in declarations, so the last
// step rewrites them: a `.d.ts` that imports './x.ts' only resolves for consumers whose TypeScript
// accepts `.ts` specifiers, and `.js` resolves for every version and every moduleResolution.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
const bundle = join(dist, 'esm');
/** dist/esm/<name>.js ← tsc's output: package.json's `exports` and bin/trib.js name these files. */
const entries = {
  index: 'src/index.js',
  testing: 'src/streams/testing/index.js',
  'schema-registry': 'schema-registry/index.js',
  console: 'src/console/index.js',
  trib: 'src/cli/trib.js',
};

rmSync(dist, { recursive: true, force: true });
for (const project of ['tsconfig.build.json', 'tsconfig.build-cli.json']) {
  execFileSync(tsc, ['-p', join(root, project)], { cwd: root, stdio: 'inherit' });
}

execFileSync(
  esbuild,
  [
    ...Object.entries(entries).map(([name, file]) => `${name}=${join(dist, file)}`),
    '--bundle',
    '--splitting',
    '--format=esm',
    '--platform=node',
    '--target=node20.19',
    '--packages=external',
    `--outdir=${bundle}`,
    '--log-level=warning',
  ],
  { cwd: root, stdio: 'inherit' },
);
// The console's page (HTML, CSS and plain ES modules, no build step of their own) ships as it is,
// beside the bundle's files (entry points and chunks alike sit in dist/esm/), where src/console/app.ts
// looks for it (`./ui` next to its own module).
cpSync(join(root, 'src', 'console', 'ui'), join(bundle, 'ui'), { recursive: true });

// Relative specifiers ending in .ts inside `from '…'`, `import('…')` and `/// <reference path>`.
const specifier = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g;
let rewritten = 0;
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue;
  const path = join(dist, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(specifier, (_m, head, body, tail) => `${head}${body}.js${tail}`);
  if (next !== text) {
    writeFileSync(path, next);
    rewritten++;
  }
}
// tsc's .js files are in the bundle now; the declarations stay.
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.js') && !file.startsWith(`esm/`)) unlinkSync(join(dist, file));
}
const leftover = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter(
  (f) => f.endsWith('.js') || f.endsWith('.d.ts'),
);
for (const file of leftover) {
  const text = readFileSync(join(dist, file), 'utf8');
  // Doc comments may show `.ts` paths; only statements matter.
  if (/^\s*(?:import|export)\b[^\n]*['"]\.{1,2}\/[^'"]*\.ts['"]|\bimport\(\s*['"]\.{1,2}\/[^'"]*\.ts['"]/m.test(text)) {
    throw new Error(`build: ${file} still imports a .ts file`);
  }
}
console.log(
  `build: dist/ written (${leftover.length} files, ${rewritten} declaration files rewritten to .js specifiers)`,
);
