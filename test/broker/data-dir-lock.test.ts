import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serve } from '../../src/broker/index.ts';
import { TributaryError } from '../../src/errors.ts';
import { openLog } from '../../src/log/index.ts';
import { BROKER_FILE } from '../../src/log/storage/data-dir.ts';
import { startTribServe, type TribServe } from '../interop/broker/trib-serve.ts';

async function openError(dataDir: string): Promise<TributaryError> {
  try {
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    await log.close();
  } catch (err) {
    if (err instanceof TributaryError) return err;
    throw err;
  }
  throw new Error('the second open succeeded');
}

/** A second process on a broker's data directory is told the broker's pid and where it listens. */
describe('DATA_DIR_LOCKED of a directory trib serve owns', () => {
  let server: TribServe | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it('should name trib serve, its pid and its address', async () => {
    server = await startTribServe();
    const err = await openError(server.dataDir);
    expect(err.code).toBe('DATA_DIR_LOCKED');
    expect(err.message).toContain(`owned by trib serve (pid ${server.process.pid}) at 127.0.0.1:${server.port}`);
    expect(err.context).toMatchObject({ pid: server.process.pid, address: `127.0.0.1:${server.port}` });
  }, 60_000);

  it('should name the advertised listener when one is given', async () => {
    server = await startTribServe({ args: ['--advertised-listener', 'kafka.example:19092'] });
    const err = await openError(server.dataDir);
    expect(err.message).toContain(`owned by trib serve (pid ${server.process.pid}) at kafka.example:19092`);
  }, 60_000);

  it('should remove the record on a clean stop, and ignore one a killed broker left', async () => {
    server = await startTribServe();
    const record = join(server.dataDir, BROKER_FILE);
    expect(existsSync(record)).toBe(true);
    await server.kill();
    // Left behind by SIGKILL, naming a pid that is gone: the next open takes the directory over.
    expect(existsSync(record)).toBe(true);
    const log = await openLog({ dataDir: server.dataDir, maintenanceIntervalMs: 0 });
    expect(existsSync(record)).toBe(false);
    await log.close();
    await server.restart();
    expect(existsSync(record)).toBe(true);
    expect(await server.stop()).toBe(0);
    expect(existsSync(record)).toBe(false);
  }, 60_000);
});

describe('serve({ dataDir }) in this process', () => {
  it('should record its advertised address beside the lock file while it runs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trib-broker-lock-'));
    try {
      const broker = await serve({ dataDir, port: 0, logLevel: 0 });
      const record = JSON.parse(readFileSync(join(dataDir, BROKER_FILE), 'utf8'));
      expect(record).toEqual({ pid: process.pid, address: `127.0.0.1:${broker.address().port}` });
      await broker.close();
      expect(existsSync(join(dataDir, BROKER_FILE))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
