import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { batchKey, topicKey } from '../../src/log/keys.ts';
import { openLog } from '../../src/log/index.ts';
import { LevelKvStore } from '../../src/log/storage/level.ts';

const root = mkdtempSync(join(tmpdir(), 'tributary-corrupt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const enc = new TextEncoder();

async function caught(promise: Promise<unknown>): Promise<TributaryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return err as TributaryError;
  }
  throw new Error('expected an error');
}

describe('corruption', () => {
  it('should raise CORRUPT_MESSAGE naming topic, partition and offset when a stored batch fails its CRC', async () => {
    const dataDir = join(root, 'crc');
    let log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    const { topicId } = await log.createTopic({ topic: 'orders', numPartitions: 2 });
    await log.append('orders', 1, [{ key: enc.encode('a'), value: enc.encode('first') }]);
    await log.append('orders', 1, [{ key: enc.encode('b'), value: enc.encode('second') }]);
    await log.close();

    // Flip one byte inside the second batch's value, as a bad disk would.
    const store = new LevelKvStore(dataDir);
    await store.open();
    const key = batchKey(topicId, 1, 1);
    const bytes = Uint8Array.from((await store.get(key))!);
    bytes[bytes.length - 3]! ^= 0x55;
    await store.write([{ type: 'put', key, value: bytes }], true);
    await store.close();

    log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      expect((await log.read('orders', 1, 0, { maxRecords: 1 })).records).toHaveLength(1);
      const err = await caught(log.read('orders', 1, 1));
      expect(err.code).toBe('CORRUPT_MESSAGE');
      expect(err.context).toMatchObject({ topic: 'orders', partition: 1, offset: 1 });
      const fromStart = await caught(log.read('orders', 1, 0));
      expect(fromStart.code).toBe('CORRUPT_MESSAGE');
    } finally {
      await log.close();
    }
  });

  it('should refuse to open a data directory whose topic metadata is damaged, with STORAGE_ERROR', async () => {
    const dataDir = join(root, 'metadata');
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'orders' });
    await log.close();
    const store = new LevelKvStore(dataDir);
    await store.open();
    await store.write([{ type: 'put', key: topicKey('orders'), value: enc.encode('{not json') }], true);
    await store.close();
    const err = await caught(openLog({ dataDir, maintenanceIntervalMs: 0 }));
    expect(err.code).toBe('STORAGE_ERROR');
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it('should give a second process DATA_DIR_LOCKED, not a crash', async () => {
    const dataDir = join(root, 'locked');
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { openLog } from ${JSON.stringify(join(import.meta.dirname, '../../src/log/index.ts'))};
         await openLog({ dataDir: ${JSON.stringify(dataDir)} });
         console.log('open');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('open') && resolve());
        holder.on('exit', () => reject(new Error('holder exited')));
      });
      const err = await caught(openLog({ dataDir }));
      expect(err.code).toBe('DATA_DIR_LOCKED');
      expect(err.message).toContain(dataDir);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('should give a second open in the same process DATA_DIR_LOCKED', async () => {
    const dataDir = join(root, 'same-process');
    const log = await openLog({ dataDir });
    try {
      expect((await caught(openLog({ dataDir }))).code).toBe('DATA_DIR_LOCKED');
    } finally {
      await log.close();
    }
  });
});
