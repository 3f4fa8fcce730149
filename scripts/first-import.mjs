// First-import time: `node scripts/first-import.mjs [--runs N] <specifier>[=<dir>]…` starts fresh
// Node processes that each time one `import(specifier)` run from `dir` (default: here), N times per
// specifier (default 20), the specifiers taking turns so that other load on the machine falls on
// each alike. Prints the minimum, median and maximum in ms per specifier; the minimum is the figure
// least disturbed by other work. Also the CPU time the import took (`process.cpuUsage()` around it,
// user + system), which other processes on a busy machine inflate far less than the wall-clock time.
// Used for docs/benchmarks.md.
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
let runs = 20;
const targets = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else {
    const [specifier, cwd = process.cwd()] = args[i].split('=');
    targets.push({ specifier, cwd, times: [], cpu: [] });
  }
}
if (targets.length === 0 || !(runs > 0)) {
  console.error('usage: node scripts/first-import.mjs [--runs N] <specifier>[=<dir>]…');
  process.exit(2);
}
for (let i = 0; i < runs; i++) {
  for (const target of targets) {
    const probe = `const c = process.cpuUsage(), t = performance.now(); import(${JSON.stringify(target.specifier)}).then(() => { const w = performance.now() - t, u = process.cpuUsage(c); console.log(w, (u.user + u.system) / 1000); });`;
    const [wall, cpu] = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: target.cwd,
      encoding: 'utf8',
    })
      .trim()
      .split(' ')
      .map(Number);
    target.times.push(wall);
    target.cpu.push(cpu);
  }
}
const ms = (x) => x.toFixed(1);
for (const { specifier, cwd, times, cpu } of targets) {
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  console.log(
    `${specifier} (${cwd}) on Node ${process.versions.node}: min ${ms(times[0])} ms, median ${ms(times[times.length >> 1])} ms, max ${ms(times.at(-1))} ms, ${times.length} fresh processes; CPU min ${ms(cpu[0])} ms, median ${ms(cpu[cpu.length >> 1])} ms`,
  );
}
