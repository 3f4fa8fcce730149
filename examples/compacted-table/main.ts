/**
 * A table of account balances built from a compacted topic: updated, closed with tombstones,
 * queried interactively, and still there after the app and the log restart.
 *
 *   npx tsx examples/compacted-table/main.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp, setBalances } from './balances.ts';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'tributary-balances-'));
try {
  let { log, streams } = await openApp(dir);
  await setBalances(log, [
    ['alice', 100],
    ['bob', 50],
    ['carol', 20],
    ['alice', 75],
    ['carol', -5],
    ['bob', null],
  ]);
  await streams.waitForIdle();
  const show = (label: string) => {
    const store = streams.store<string, number>('balances-store');
    const all = store
      .all()
      .map(({ key, value }) => `${key}=${value}`)
      .sort();
    console.log(`${label}: ${all.join(' ')}  (alice: ${store.get('alice')}, bob: ${store.get('bob')})`);
  };
  show('after updates');

  // Restart everything: the store comes back from its files and changelog, nothing is reprocessed.
  await streams.close();
  await log.close();
  ({ log, streams } = await openApp(dir));
  show('after restart');

  await setBalances(log, [['dave', 10]]);
  await streams.waitForIdle();
  show('after a new account');
  await streams.close();
  await log.close();
} finally {
  if (process.argv[2] === undefined) rmSync(dir, { recursive: true, force: true });
}
