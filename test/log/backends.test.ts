import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { logConformanceSuite } from './conformance.ts';

const root = mkdtempSync(join(tmpdir(), 'tributary-log-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

logConformanceSuite({
  name: 'memory',
  factory: (clock) => openLog({ storage: 'memory', clock }),
});

const dirs = new WeakMap<object, string>();
logConformanceSuite({
  name: 'leveldb',
  factory: async (clock) => {
    const dataDir = join(root, `db-${n++}`);
    const log = await openLog({ dataDir, clock });
    dirs.set(log, dataDir);
    return log;
  },
  reopen: async (log, clock) => {
    const dataDir = dirs.get(log)!;
    await log.close();
    const reopened = await openLog({ dataDir, clock });
    dirs.set(reopened, dataDir);
    return reopened;
  },
});
