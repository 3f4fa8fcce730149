import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogEntry, logLevel, Tributary } from '../../src/index.ts';

describe('Tributary', () => {
  it('should open the log on the first connect and release it when the last client disconnects', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trib-open-'));
    try {
      const one = new Tributary({ dataDir, logLevel: logLevel.NOTHING });
      const admin = one.admin();
      const producer = one.producer();
      await admin.connect();
      await producer.connect();
      await admin.createTopics({ topics: [{ topic: 't' }] });
      await admin.disconnect();
      await producer.send({ topic: 't', messages: [{ value: 'still open' }] });
      await producer.disconnect();
      // The directory is free again: a second Tributary can open it.
      const two = new Tributary({ dataDir, logLevel: logLevel.NOTHING });
      const admin2 = two.admin();
      await admin2.connect();
      expect((await admin2.fetchTopicOffsets('t'))[0]!.high).toBe('1');
      await admin2.disconnect();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('should log through a kafkajs-style logCreator at or below the log level', () => {
    const entries: LogEntry[] = [];
    const logger = createLogger({
      level: logLevel.WARN,
      logCreator: () => (entry) => entries.push(entry),
      now: () => 0,
    });
    const consumerLogger = logger.namespace('Consumer');
    consumerLogger.info('hidden');
    consumerLogger.warn('shown', { groupId: 'g' });
    logger.setLogLevel(logLevel.DEBUG);
    consumerLogger.debug('now shown');
    expect(entries.map((e) => [e.namespace, e.label, e.log.message])).toEqual([
      ['Consumer', 'WARN', 'shown'],
      ['Consumer', 'DEBUG', 'now shown'],
    ]);
    expect(entries[0]!.log.groupId).toBe('g');
    expect(entries[0]!.log.timestamp).toBe('1970-01-01T00:00:00.000Z');
  });

  it('should refuse a consumer without a groupId with a TypeError', () => {
    expect(() => new Tributary({ storage: 'memory' }).consumer({} as { groupId: string })).toThrow(TypeError);
  });
});
