// Run by scripts/test-package.mjs inside a fresh project that installed the packed tarball: the
// package from CommonJS. `require()` of an ES module is Node's own (20.19+, 22.12+), no CJS build.
const assert = require('node:assert/strict');
const tributary = require('tributary');
const { TopologyTestDriver } = require('tributary/testing');
const registry = require('tributary/schema-registry');
const consoleEntry = require('tributary/console');

assert.equal(typeof tributary.openLog, 'function');
assert.equal(typeof tributary.Tributary, 'function');
assert.equal(typeof TopologyTestDriver, 'function');
assert.equal(typeof registry.startRegistryServer, 'function');
assert.equal(typeof consoleEntry.startConsole, 'function');
assert.equal(require('tributary/package.json').name, 'tributary');

(async () => {
  const log = await tributary.openLog({ storage: 'memory' });
  await log.createTopic({ topic: 'orders', numPartitions: 1 });
  await log.append('orders', 0, [{ key: null, value: Buffer.from('from cjs') }]);
  assert.equal((await log.read('orders', 0, 0)).records[0].value.toString(), 'from cjs');
  const err = await log.createTopic({ topic: 'orders', numPartitions: 1 }).catch((e) => e);
  assert.ok(err instanceof tributary.TributaryError);
  assert.equal(err.code, 'TOPIC_ALREADY_EXISTS');
  await log.close();
  console.log('cjs: ok');
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
