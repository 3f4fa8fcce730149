import { readFileSync } from 'node:fs';
const text = readFileSync('examples/wordcount/pride-and-prejudice-1-5.txt', 'utf8');
const lines = text.split('\n').filter((l) => l.trim().length > 0);
function words(line) { return line.toLowerCase().split(/\W+/).filter((w) => w.length > 0); }
const allw = []; for (let p = 0; p < 20; p++) for (const l of lines) allw.push(...words(l));
const m = new Map(); for (const w of allw) if (!m.has(w)) m.set(w, { w });
const fresh = allw.map((w) => (' ' + w).slice(1));  // non-hashed copies? slices
function bench(name, arr) { let t = performance.now(); let x = 0; for (let r = 0; r < 3; r++) for (let i = 0; i < arr.length; i++) x += m.get(arr[i]) !== undefined ? 1 : 0; const d = performance.now() - t; console.log(name, (d * 1e6 / (3 * arr.length)).toFixed(1), 'ns'); }
for (let k = 0; k < 3; k++) {
  // fresh per iteration strings
  const fr = []; for (let p = 0; p < 20; p++) for (const l of lines) fr.push(...words(l));
  let t = performance.now(); let x = 0; for (let i = 0; i < fr.length; i++) x += m.get(fr[i]) !== undefined ? 1 : 0; console.log('fresh first get', ((performance.now() - t) * 1e6 / fr.length).toFixed(1));
  t = performance.now(); for (let i = 0; i < fr.length; i++) x += m.get(fr[i]) !== undefined ? 1 : 0; console.log('fresh second get (hash cached)', ((performance.now() - t) * 1e6 / fr.length).toFixed(1));
  bench('canonical', [...m.keys()].flatMap((k) => [k, k, k, k, k, k, k, k, k, k]));
}
