// First-import time: `node scripts/first-import.mjs <specifier> [runs] [cwd]` starts `runs` fresh
// Node processes (default 20) that each time one `import(specifier)` from `cwd` (default: here), and
// prints the minimum, median and maximum in ms. Used for docs/benchmarks.md; the minimum is the
// figure least disturbed by other work on the machine.
import { execFileSync } from 'node:child_process';

const [specifier, runsArg = '20', cwd = process.cwd()] = process.argv.slice(2);
if (specifier === undefined) {
  console.error('usage: node scripts/first-import.mjs <specifier> [runs] [cwd]');
  process.exit(2);
}
const probe = `const t = performance.now(); import(${JSON.stringify(specifier)}).then(() => console.log(performance.now() - t));`;
const times = [];
for (let i = 0; i < Number(runsArg); i++) {
  times.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd, encoding: 'utf8' })));
}
times.sort((a, b) => a - b);
const ms = (x) => x.toFixed(1);
console.log(`${specifier} on Node ${process.versions.node}: min ${ms(times[0])} ms, median ${ms(times[times.length >> 1])} ms, max ${ms(times.at(-1))} ms (${times.length} fresh processes)`);
