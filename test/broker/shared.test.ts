import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { serve } from '../../src/broker/index.ts';
import { Tributary } from '../../src/index.ts';

describe('a broker and a Tributary of one process on one data directory', () => {
  it('should share the open log and the groups instead of meeting DATA_DIR_LOCKED', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'broker-shared-'));
    const broker = await serve({ dataDir, port: 0, logLevel: 0, groupInitialRebalanceDelayMs: 0 });
    const tributary = new Tributary({ dataDir, logLevel: 0 });
    try {
      const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.address().port}`], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'both', numPartitions: 2 }] });
      await admin.setOffsets({ groupId: 'shared-group', topic: 'both', partitions: [{ partition: 1, offset: '0' }] });
      await admin.disconnect();
      const local = tributary.admin();
      await local.connect();
      expect(await local.listTopics()).toContain('both');
      const offsets = await local.fetchOffsets({ groupId: 'shared-group', topics: ['both'] });
      expect(offsets[0]!.partitions.find((p) => p.partition === 1)!.offset).toBe('0');
      await local.disconnect();
    } finally {
      await tributary.close();
      await broker.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
