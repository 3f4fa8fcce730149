// `npm run build`: the published package, compiled into dist/ (run by `prepack` and by .ci/run).
//
// Two tsc passes: the library (src/ without the CLI, and schema-registry/) with declarations, then the
// CLI as JavaScript only — the CLI is not an API, and its internals need not be nameable in a .d.ts.
// The sources import each other with `.ts` extensions; `rewriteRelativeImportExtensions` turns those
// into `.js` in the emitted JavaScript, but tsc leaves them as written in declarations, so the last
// step rewrites them: a `.d.ts` that imports './x.ts' only resolves for consumers whose TypeScript
// accepts `.ts` specifiers, and `.js` resolves for every version and every moduleResolution.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tsc = join(root, 'node_modules', '.bin', 'tsc');

rmSync(dist, { recursive: true, force: true });
for (const project of ['tsconfig.build.json', 'tsconfig.build-cli.json']) {
  execFileSync(tsc, ['-p', join(root, project)], { cwd: root, stdio: 'inherit' });
}

// The console's page (HTML, CSS and plain ES modules, no build step of their own) ships as it is.
cpSync(join(root, 'src', 'console', 'ui'), join(dist, 'src', 'console', 'ui'), { recursive: true });

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
