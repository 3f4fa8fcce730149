// Bundled by esbuild in scripts/test-package.mjs, then run: the package survives a bundler.
import { openLog, Serdes } from 'tributary';
import { startRegistryServer } from 'tributary/schema-registry';

const log = await openLog({ storage: 'memory' });
await log.createTopic({ topic: 'orders', numPartitions: 1 });
await log.append('orders', 0, [{ key: null, value: Serdes.String().serialize('orders', 'bundled') }]);
const { records } = await log.read('orders', 0, 0);
const server = await startRegistryServer(log, { port: 0 });
const subjects = await (await fetch(`${server.url}/subjects`)).json();
await server.close();
await log.close();
if (Serdes.String().deserialize('orders', records[0].value) !== 'bundled' || subjects.length !== 0) process.exit(1);
console.log('bundle: ok');
