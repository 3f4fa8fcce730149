import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logLevel, openLog, Tributary } from '../../src/index.ts';
import { until } from './helpers.ts';

describe('Tributaries of one process on one data directory share its open log', () => {
  it('should let two Tributaries on one directory (spelled differently) work together, then free the directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trib-shared-'));
    const link = `${dataDir}-link`;
    await symlink(dataDir, link);
    try {
      // Two modules of one program, each with its own client.
      const moduleA = new Tributary({ dataDir, logLevel: logLevel.NOTHING });
      const moduleB = new Tributary({ dataDir: relative(process.cwd(), link), logLevel: logLevel.NOTHING });
      const admin = moduleA.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 't' }] });
      const producer = moduleB.producer();
      await producer.connect();
      await producer.send({ topic: 't', messages: [{ value: 'from B' }] });
      const consumer = moduleB.consumer({ groupId: 'g' });
      await consumer.connect();
      await consumer.subscribe({ topics: ['t'], fromBeginning: true });
      const seen: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      await until(() => seen.length === 1, 'the record');
      await consumer.disconnect();
      // One group coordinator: A's admin sees what B's consumer committed.
      expect((await admin.fetchOffsets({ groupId: 'g', topics: ['t'] }))[0]!.partitions[0]!.offset).toBe('1');
      await producer.disconnect();
      // A still uses the log after B let go of it.
      expect((await admin.fetchTopicOffsets('t'))[0]!.high).toBe('1');
      await admin.disconnect();
      // The last user gone, the log is closed: the directory opens again.
      const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
      expect(log.offsets('t', 0).highWatermark).toBe(1);
      await log.close();
    } finally {
      await rm(link, { force: true });
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('should share the log when both Tributaries connect at the same time', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trib-shared-'));
    try {
      const a = new Tributary({ dataDir, logLevel: logLevel.NOTHING }).admin();
      const b = new Tributary({ dataDir, logLevel: logLevel.NOTHING }).admin();
      await Promise.all([a.connect(), b.connect()]);
      await a.createTopics({ topics: [{ topic: 'x' }] });
      expect(await b.listTopics()).toContain('x');
      await Promise.all([a.disconnect(), b.disconnect()]);
      const again = new Tributary({ dataDir, logLevel: logLevel.NOTHING }).admin();
      await again.connect();
      expect(await again.listTopics()).toContain('x');
      await again.disconnect();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("storage: 'memory'", () => {
  it('should keep its data for the life of its Tributary, after every client disconnected', async () => {
    const tributary = new Tributary({ storage: 'memory', logLevel: logLevel.NOTHING });
    const producer = tributary.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({ topic: 'kept', messages: [{ value: 'v' }] });
    await producer.disconnect();
    const admin = tributary.admin();
    await admin.connect();
    expect((await admin.fetchTopicOffsets('kept'))[0]!.high).toBe('1');
    await admin.disconnect();
    await tributary.close();
  });
});
