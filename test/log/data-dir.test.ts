import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { openLog } from '../../src/log/index.ts';
import { LOCK_FILE } from '../../src/log/storage/data-dir.ts';

const root = mkdtempSync(join(tmpdir(), 'tributary-datadir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const enc = new TextEncoder();
const LOG = JSON.stringify(join(import.meta.dirname, '../../src/log/index.ts'));

async function caught(promise: Promise<unknown>): Promise<TributaryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return err as TributaryError;
  }
  throw new Error('expected an error');
}

/** Runs `body` (a module body with `openLog` and `dataDir` in scope) in a child process; resolves to its stdout. */
function child(dataDir: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', '-e', `import { openLog } from ${LOG}; const dataDir = ${JSON.stringify(dataDir)};\n${body}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

describe('data directory lock', () => {
  it('should still refuse a second process after a second open in this process was refused', async () => {
    const dataDir = join(root, 'lock-kept');
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      await log.createTopic({ topic: 't' });
      const second = await caught(openLog({ dataDir }));
      expect(second.code).toBe('DATA_DIR_LOCKED');
      expect(second.message).toContain(String(process.pid));
      // LevelDB used to drop the process's lock here: a second process then opened and wrote.
      const out = await child(
        dataDir,
        `try { const l = await openLog({ dataDir, maintenanceIntervalMs: 0 }); await l.append('t', 0, [{ key: null, value: new Uint8Array(1) }]); console.log('opened'); await l.close(); }
         catch (e) { console.log(e.code + ' ' + e.message); }`,
      );
      expect(out).toContain('DATA_DIR_LOCKED');
      expect(out).toContain(String(process.pid));
      await log.append('t', 0, [{ key: null, value: enc.encode('mine') }]);
      expect(log.offsets('t', 0).highWatermark).toBe(1);
    } finally {
      await log.close();
    }
    // Closed: the lock file is gone and the directory opens again, here and elsewhere.
    expect(readdirSync(dataDir)).not.toContain(LOCK_FILE);
    expect(
      await child(
        dataDir,
        `const l = await openLog({ dataDir }); console.log(l.offsets('t', 0).highWatermark); await l.close();`,
      ),
    ).toBe('1\n');
  });

  it('should take over a lock file left by a process that is gone', async () => {
    const dataDir = join(root, 'stale');
    await child(
      dataDir,
      `const l = await openLog({ dataDir }); await l.createTopic({ topic: 's' }); process.kill(process.pid, 'SIGKILL');`,
    ).catch(() => undefined);
    const pid = Number.parseInt(readFileSync(join(dataDir, LOCK_FILE), 'utf8'), 10);
    expect(pid).toBeGreaterThan(0);
    const log = await openLog({ dataDir });
    expect(await log.listTopics()).toEqual(['s']);
    expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    await log.close();
  });

  it('should refuse, naming the pid, a directory whose lock file names a live process', async () => {
    const dataDir = join(root, 'live-pid');
    mkdirSync(dataDir);
    // Our parent is alive for the whole test.
    writeFileSync(join(dataDir, LOCK_FILE), `${process.ppid}\n`);
    const err = await caught(openLog({ dataDir }));
    expect(err.code).toBe('DATA_DIR_LOCKED');
    expect(err.context).toMatchObject({ pid: process.ppid });
    expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(process.ppid));
  });
});

describe('a data directory that cannot be opened', () => {
  it('should refuse a directory whose CURRENT is gone with STORAGE_ERROR naming it, and delete nothing', async () => {
    const dataDir = join(root, 'no-current');
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'orders' });
    await log.append('orders', 0, [{ key: null, value: enc.encode('kept') }], { sync: true });
    await log.close();
    unlinkSync(join(dataDir, 'CURRENT'));
    const before = readdirSync(dataDir).sort();
    const err = await caught(openLog({ dataDir }));
    expect(err.code).toBe('STORAGE_ERROR');
    expect(err.message).toContain('CURRENT');
    expect(err.context).toMatchObject({ missing: 'CURRENT' });
    expect(readdirSync(dataDir).sort()).toEqual(before);
    // And the directory is free again for whoever repairs it.
    expect(readdirSync(dataDir)).not.toContain(LOCK_FILE);
  });

  it('should create a log in an absent or empty directory', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    for (const dataDir of [empty, join(root, 'absent', 'nested')]) {
      const log = await openLog({ dataDir });
      expect(await log.listTopics()).toEqual([]);
      await log.close();
    }
  });

  it('should refuse a directory it cannot create with STORAGE_ERROR', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    for (const dataDir of [join(file, 'x'), file, '/proc/x']) {
      expect((await caught(openLog({ dataDir }))).code).toBe('STORAGE_ERROR');
    }
  });
});
