/**
 * A broker's defaults for topic configs (Kafka's `log.*` settings): their broker names read as
 * Kafka reads them, the log's topics taking them, and DescribeConfigs telling them apart from
 * Kafka's own defaults and from a topic's overrides.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { topicDefaultsOf } from '../../src/broker/topic-defaults.ts';
import { TributaryError } from '../../src/errors.ts';
import { openLog } from '../../src/log/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { RawClient } from './raw-client.ts';

const HOUR = 3_600_000;

describe('topicDefaultsOf', () => {
  it("should map Kafka's broker names to topic configs, retention.ms over minutes over hours", () => {
    expect(
      topicDefaultsOf({
        'log.retention.hours': '24',
        'log.cleanup.policy': 'compact',
        'message.max.bytes': '2097152',
        'log.message.timestamp.type': 'LogAppendTime',
      }),
    ).toEqual({
      'retention.ms': String(24 * HOUR),
      'cleanup.policy': 'compact',
      'max.message.bytes': '2097152',
      'message.timestamp.type': 'LogAppendTime',
    });
    expect(topicDefaultsOf({ 'log.retention.minutes': '5', 'log.retention.hours': '1' })).toEqual({
      'retention.ms': '300000',
    });
    expect(topicDefaultsOf({ 'log.retention.hours': '1', 'log.retention.ms': '42' })).toEqual({ 'retention.ms': '42' });
    expect(topicDefaultsOf({ 'log.retention.hours': '-1' })).toEqual({ 'retention.ms': '-1' });
  });

  it('should refuse a name that is no such setting, and a bad retention, with INVALID_CONFIG', () => {
    const bads: Record<string, string>[] = [
      { 'log.segment.bytes': '1' },
      { 'retention.ms': '1' },
      { 'log.retention.hours': 'a day' },
      { 'log.cleanup.policy': 'sometimes' },
    ];
    for (const bad of bads) {
      expect(() => topicDefaultsOf(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(Object.keys(bad)[0]!) }),
      );
    }
  });
});

describe('topic defaults on the log and the broker', () => {
  let broker: Broker | undefined;
  afterEach(async () => {
    await broker?.close();
    broker = undefined;
  });

  it("should give topics that set nothing the log's defaults, and fall back to them when an override goes", async () => {
    const log = await openLog({
      storage: 'memory',
      maintenanceIntervalMs: 0,
      topicDefaults: { 'retention.ms': HOUR, 'cleanup.policy': 'compact,delete' },
    });
    try {
      const t = await log.createTopic({ topic: 't' });
      expect([t.configs['retention.ms'], t.configs['cleanup.policy'], t.overrides]).toEqual([
        HOUR,
        'compact,delete',
        {},
      ]);
      const u = await log.createTopic({ topic: 'u', configs: { 'retention.ms': 5 } });
      expect(u.configs['retention.ms']).toBe(5);
      const back = await log.alterConfigs('u', { 'retention.ms': null });
      expect(back.configs['retention.ms']).toBe(HOUR);
      expect(log.topicDefaults['max.message.bytes']).toBe(1_048_588);
    } finally {
      await log.close();
    }
    const refused = await openLog({ storage: 'memory', topicDefaults: { 'cleanup.policy': 'sometimes' } }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TributaryError);
    expect((refused as TributaryError).code).toBe('INVALID_CONFIG');
  });

  it("should describe a broker default as a static broker config, Kafka's as a default, and list them for the broker", async () => {
    broker = await serve({
      storage: 'memory',
      port: 0,
      logLevel: 0,
      topicDefaults: topicDefaultsOf({ 'log.retention.hours': '2' }),
    });
    await broker.log.createTopic({ topic: 't', configs: { 'cleanup.policy': 'compact' } });
    const client = await RawClient.connect(broker.address().port);
    try {
      const res = await client.request(API.DescribeConfigs, 4, {
        resources: [
          {
            resourceType: 2,
            resourceName: 't',
            configurationKeys: ['retention.ms', 'cleanup.policy', 'retention.bytes'],
          },
          { resourceType: 4, resourceName: '1', configurationKeys: ['log.retention.ms', 'log.cleanup.policy'] },
        ],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      const [topic, brokerConfigs] = res.results;
      expect(topic!.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
        ['cleanup.policy', 'compact', 1],
        ['retention.ms', String(2 * HOUR), 4],
        ['retention.bytes', '-1', 5],
      ]);
      expect(brokerConfigs!.configs.map((c) => [c.name, c.value, c.configType])).toEqual([
        ['log.cleanup.policy', 'delete', 7],
        ['log.retention.ms', String(2 * HOUR), 5],
      ]);
    } finally {
      client.close();
    }
  });

  it('should refuse topicDefaults beside a log handed to serve()', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    try {
      await expect(serve({ log, port: 0, topicDefaults: { 'retention.ms': 1 } })).rejects.toThrow(TypeError);
    } finally {
      await log.close();
    }
  });
});
