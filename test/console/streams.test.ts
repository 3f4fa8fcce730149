import { describe, expect, it } from 'vitest';
import { buildConsoleApp } from '../../src/console/index.ts';
import { KafkaStreams, Serdes, StreamsBuilder, Tributary } from '../../src/index.ts';
import { openLog } from '../../src/log/index.ts';

function counting(input: string) {
  const builder = new StreamsBuilder();
  builder
    .stream(input, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .groupByKey()
    .count({ materialized: `${input}-counts` });
  return builder.build();
}

describe('console streams applications', () => {
  it('lists every app running in the process on its log, with topology, tasks and queryable stores', {
    timeout: 60_000,
  }, async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'a', numPartitions: 1 });
    await log.createTopic({ topic: 'b', numPartitions: 1 });
    await log.append('a', 0, [{ key: Buffer.from('k'), value: Buffer.from('1') }]);
    const other = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await other.createTopic({ topic: 'a', numPartitions: 1 });
    const tributary = new Tributary({ log, logLevel: 0 });
    const onLog = new KafkaStreams(counting('a'), { applicationId: 'on-log', log });
    const onTributary = new KafkaStreams(counting('b'), { applicationId: 'on-tributary', tributary });
    const elsewhere = new KafkaStreams(counting('a'), { applicationId: 'elsewhere', log: other });
    const console_ = buildConsoleApp({ log });
    const get = async (url: string) =>
      (await console_.app.inject({ method: 'GET', url, headers: { host: 'localhost' } })).json();
    try {
      expect((await get('/api/streams')).apps).toEqual([]);
      await Promise.all([onLog.start(), onTributary.start(), elsewhere.start()]);
      await onLog.waitForIdle();
      const apps = (await get('/api/streams')).apps.map((a: { applicationId: string }) => a.applicationId);
      expect(apps).toEqual(['on-log', 'on-tributary']);
      const app = await get('/api/streams/on-log');
      expect(app.stores).toEqual(['a-counts']);
      expect(app.topology[0].nodes.map((n: { type: string }) => n.type)).toContain('Source');
      expect((await get('/api/streams/on-log/stores/a-counts?key=k')).entries).toEqual([{ key: 'k', value: 1 }]);
      await onLog.close();
      expect((await get('/api/streams')).apps.map((a: { applicationId: string }) => a.applicationId)).toEqual([
        'on-tributary',
      ]);
    } finally {
      await console_.close();
      await Promise.all([onLog.close(), onTributary.close(), elsewhere.close()]);
      await tributary.close();
      await log.close();
      await other.close();
    }
  });
});
