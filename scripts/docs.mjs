// `npm run docs`: the API reference in docs/api/ (TypeDoc, from the doc comments of the three entry
// points: tributary, tributary/testing, tributary/schema-registry), and the checks .ci/run runs on
// the documentation:
//
// - TypeDoc's validation (typedoc.json): public exports without a doc comment, links in comments that
//   do not resolve, members without a comment, types the API uses but does not export. The warnings
//   known when the check was added are listed in docs/api-baseline.txt. A new undocumented export
//   (a class, interface, function, constant, type or enum of an entry point) or a new broken link
//   fails the check; new warnings about members and unexported types are counted and listed, not
//   failed on. Fixing one prints a reminder to drop its line (it does not fail, so whoever documents
//   something need not touch the baseline in the same change). `--update-baseline` rewrites it.
// - Links in the Markdown files (README, docs/, examples/): a relative link must name a file inside
//   this repository that exists.
//
// TypeDoc runs from tools/typedoc (its own package and lockfile, installed on first use): it loads
// TypeScript as a library, and the project's TypeScript 7 is the native compiler, which has none.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tools = join(root, 'tools', 'typedoc');
const baselinePath = join(root, 'docs', 'api-baseline.txt');
const update = process.argv.includes('--update-baseline');
let failed = false;

// 1. TypeDoc.
if (!existsSync(join(tools, 'node_modules', 'typedoc'))) {
  execFileSync('npm', ['ci', '--prefix', tools, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}
const typedoc = spawnSync(process.execPath, [join(tools, 'node_modules', 'typedoc', 'bin', 'typedoc')], {
  cwd: root,
  encoding: 'utf8',
});
// biome-ignore lint/suspicious/noControlCharactersInRegex: TypeDoc colours its output with ANSI escapes
const output = `${typedoc.stdout}${typedoc.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
const lines = output.split('\n').map((l) => l.trim());
const errors = lines.filter((l) => l.startsWith('[error]'));
const warnings = [
  ...new Set(
    lines
      .filter((l) => l.startsWith('[warning]') && !/^\[warning\] Found \d+ errors/.test(l))
      .map((l) => l.slice('[warning] '.length)),
  ),
].sort();
if (typedoc.status !== 0 || errors.length > 0) {
  console.error(`docs: TypeDoc failed (exit ${typedoc.status})\n${output}`);
  process.exit(1);
}
if (update) {
  writeFileSync(baselinePath, `${warnings.join('\n')}\n`);
  console.log(`docs: docs/api-baseline.txt rewritten with ${warnings.length} known warnings`);
} else {
  const baseline = new Set(readFileSync(baselinePath, 'utf8').split('\n').filter(Boolean));
  const fresh = warnings.filter((w) => !baseline.has(w));
  const fixed = [...baseline].filter((w) => !warnings.includes(w));
  const undocumentedExport =
    /^[^.\s]+\.[^.\s]+ \((?:Class|Interface|Function|Variable|TypeAlias|Enum)\), defined in .* does not have any documentation$/;
  const brokenLink = /links to|resolve link/i;
  const gated = fresh.filter((w) => undocumentedExport.test(w) || brokenLink.test(w));
  const noted = fresh.filter((w) => !gated.includes(w));
  if (gated.length > 0) {
    failed = true;
    console.error(
      `docs: ${gated.length} new undocumented export(s) or broken link(s) in doc comments:\n  ${gated.join('\n  ')}`,
    );
  }
  if (noted.length > 0)
    console.log(
      `docs: ${noted.length} new warning(s) about members or unexported types (not failed on):\n  ${noted.join('\n  ')}`,
    );
  if (fixed.length > 0)
    console.log(
      `docs: ${fixed.length} line(s) of docs/api-baseline.txt fixed, drop them (npm run docs -- --update-baseline)`,
    );
  console.log(
    `docs: docs/api written; ${warnings.length - fresh.length} known documentation debts (docs/api-baseline.txt), ${fresh.length} new`,
  );
}

// 2. Markdown links.
function markdownFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'api' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(path));
    else if (entry.name.endsWith('.md')) out.push(path);
  }
  return out;
}
const files = [
  join(root, 'README.md'),
  join(root, 'CHANGELOG.md'),
  ...markdownFiles(join(root, 'docs')),
  ...markdownFiles(join(root, 'examples')),
].filter(existsSync);
const broken = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, ''); // code blocks are not links
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue; // URLs, anchors
    const path = resolve(dirname(file), decodeURIComponent(target.split('#')[0]));
    const inside = !relative(root, path).startsWith('..');
    if (!inside || !existsSync(path))
      broken.push(`${relative(root, file)}: ${target}${inside ? ' (no such file)' : ' (outside the repository)'}`);
  }
}
if (broken.length > 0) {
  failed = true;
  console.error(`docs: ${broken.length} broken Markdown link(s):\n  ${broken.join('\n  ')}`);
} else {
  console.log(`docs: ${files.length} Markdown files, every relative link names a file in the repository`);
}
process.exitCode = failed ? 1 : 0;
