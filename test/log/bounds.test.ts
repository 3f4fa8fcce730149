import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TributaryError } from '../../src/errors.ts';
import { openLog } from '../../src/log/index.ts';
import { code } from './error-code.ts';

const root = mkdtempSync(join(tmpdir(), 'tributary-bounds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('partition limits', () => {
  it('should refuse absurd partition counts with INVALID_PARTITIONS instead of running out of memory', async () => {
    const log = await openLog({ storage: 'memory' });
    try {
      for (const numPartitions of [2 ** 31, 1e6]) {
        expect(await code(log.createTopic({ topic: `t${numPartitions}`, numPartitions }))).toBe('INVALID_PARTITIONS');
      }
      await log.createTopic({ topic: 'grow' });
      expect(await code(log.createPartitions('grow', 2 ** 31))).toBe('INVALID_PARTITIONS');
      expect(await code(log.createPartitions('grow', 1e6))).toBe('INVALID_PARTITIONS');
      expect(log.partitionCount('grow')).toBe(1);
      expect(await log.listTopics()).toEqual(['grow']);
    } finally {
      await log.close();
    }
  });

  it('should hold the configured limits per topic and per log', async () => {
    const log = await openLog({ storage: 'memory', maxPartitionsPerTopic: 8, maxPartitions: 12 });
    try {
      await log.createTopic({ topic: 'a', numPartitions: 8 });
      const perTopic = await log.createTopic({ topic: 'b', numPartitions: 9 }).catch((e: TributaryError) => e);
      expect(perTopic).toMatchObject({ code: 'INVALID_PARTITIONS', context: { limit: 8 } });
      await log.createTopic({ topic: 'c', numPartitions: 4 });
      expect(await code(log.createTopic({ topic: 'd' }))).toBe('INVALID_PARTITIONS');
      expect(await code(log.createPartitions('c', 5))).toBe('INVALID_PARTITIONS');
      await log.deleteTopic('a');
      await log.createPartitions('c', 8);
    } finally {
      await log.close();
    }
  });
});

describe('absurd arguments', () => {
  it('should refuse options that are not numbers, and give the data directory back', async () => {
    const dataDir = join(root, 'options');
    for (const options of [
      { maintenanceIntervalMs: 'x' },
      { maintenanceIntervalMs: -5 },
      { compactionMapBytes: 0 },
      { maxPartitions: 1.5 },
    ]) {
      await expect(openLog({ dataDir, ...(options as object) })).rejects.toBeInstanceOf(TypeError);
    }
    const log = await openLog({ dataDir });
    await log.close();
  });

  it('should refuse an unknown isolation level and a signal that is not an AbortSignal, and still close', async () => {
    const dataDir = join(root, 'signal');
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 't' });
    await expect(log.read('t', 0, 0, { isolation: 'bogus' as 'read_committed' })).rejects.toBeInstanceOf(TypeError);
    await expect(log.readBatches('t', 0, 0, { isolation: 'bogus' as 'read_committed' })).rejects.toBeInstanceOf(
      TypeError,
    );
    expect(() => log.waitForData('t', 0, 0, { aborted: false } as AbortSignal)).toThrow(TypeError);
    expect(() => log.waitForData('t', 0, 0, undefined, 'bogus' as 'read_committed')).toThrow(TypeError);
    await log.close();
    const again = await openLog({ dataDir });
    await again.close();
  });
});
