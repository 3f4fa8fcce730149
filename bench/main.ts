/**
 * `npm run bench -- <suite>`: runs one benchmark suite (log, clients, registry, streams, console,
 * broker, wire) or all of them. Each suite prints its figures beside a reference measured in the same run, and the ratio;
 * the last line of the run is one JSON object with every figure.
 */
const suites: Record<string, () => Promise<{ run: () => Promise<Record<string, number>> }>> = {
  log: () => import('./log.ts'),
  clients: () => import('./clients.ts' as string),
  registry: () => import('./registry.ts' as string),
  streams: () => import('./streams.ts' as string),
  console: () => import('./console.ts' as string),
  broker: () => import('./broker.ts' as string),
  wire: () => import('./wire.ts' as string),
  'streams-wire': () => import('./streams-wire.ts' as string),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(suites);
const figures: Record<string, Record<string, number>> = {};
for (const name of names) {
  const load = suites[name];
  if (load === undefined) {
    console.error(`unknown benchmark suite "${name}"; known: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  let suite: { run: () => Promise<Record<string, number>> };
  try {
    suite = await load();
  } catch (err) {
    if (wanted.length > 0) throw err;
    console.log(`(skipping ${name}: ${(err as Error).message.split('\n')[0]})`);
    continue;
  }
  console.log(`\n== ${name} ==`);
  figures[name] = await suite.run();
}
console.log(JSON.stringify(names.length === 1 ? figures[names[0]!] : figures));
