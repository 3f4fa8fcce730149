// Type-checked under NodeNext as CommonJS: `require()` of the ES-module package (TypeScript allows
// it for Node versions with require(esm)).
import tributary = require('tributary');
import registry = require('tributary/schema-registry');

const openLog: typeof tributary.openLog = tributary.openLog;
const start: typeof registry.startRegistryServer = registry.startRegistryServer;
export = { openLog, start };
