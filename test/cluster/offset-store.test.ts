import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OffsetStore } from '../../src/cluster/offset-store.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function opened(dataDir: string): Promise<{ log: EmbeddedLogBackend; store: OffsetStore }> {
  const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
  const store = new OffsetStore(log);
  await store.ready();
  return { log, store };
}

/** Writes a group's commit as part of a transaction of `transactionalId`, and returns its producer. */
async function transactionalCommit(
  log: EmbeddedLogBackend,
  store: OffsetStore,
  transactionalId: string,
  group: string,
  offset: number,
) {
  const { producerId, producerEpoch } = await log.initProducerId({ transactionalId });
  await log.write([
    store.append(group, [{ topic: 't', partition: 0, offset }], {
      producerId,
      producerEpoch,
      baseSequence: 0,
      isTransactional: true,
    }),
  ]);
  return { producerId, producerEpoch };
}

describe('OffsetStore', () => {
  it('should reload plain commits made after a transaction that is still open, and not the open transaction’s', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trib-offsets-'));
    dirs.push(dataDir);
    let { log, store } = await opened(dataDir);
    await store.commit('plain', [{ topic: 't', partition: 0, offset: 3 }]);
    await transactionalCommit(log, store, 'open-txn', 'txn-group', 5);
    // After the transaction began: read_committed replay would hide this one until it ended.
    await store.commit('plain', [{ topic: 't', partition: 0, offset: 7 }]);
    await log.close(); // the transaction is left open, as after a crash

    ({ log, store } = await opened(dataDir));
    expect(store.get('plain', 't', 0)?.offset).toBe(7);
    expect(store.get('txn-group', 't', 0)).toBeUndefined();
    await log.close();
  });

  it('should reload a committed transaction’s commits and drop an aborted one’s', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trib-offsets-'));
    dirs.push(dataDir);
    let { log, store } = await opened(dataDir);
    await store.commit('g', [{ topic: 't', partition: 0, offset: 1 }]);
    const committed = await transactionalCommit(log, store, 'a', 'g', 9);
    const aborted = await transactionalCommit(log, store, 'b', 'h', 4);
    await log.endTransaction({ ...committed, commit: true });
    await log.endTransaction({ ...aborted, commit: false });
    await log.close();

    ({ log, store } = await opened(dataDir));
    expect(store.get('g', 't', 0)?.offset).toBe(9);
    expect(store.get('h', 't', 0)).toBeUndefined();
    await log.close();
  });

  it('should reload a deleted group as gone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trib-offsets-'));
    dirs.push(dataDir);
    let { log, store } = await opened(dataDir);
    await store.commit('g', [{ topic: 't', partition: 0, offset: 1 }]);
    await store.commit('keep', [{ topic: 't', partition: 0, offset: 2 }]);
    await store.delete('g');
    await log.close();

    ({ log, store } = await opened(dataDir));
    expect(store.groups()).toEqual(['keep']);
    await log.close();
  });
});
