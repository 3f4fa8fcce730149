/**
 * Interactive-query metadata across instances (Kafka's `application.server`,
 * `metadataForAllStreamsClients`, `streamsMetadataForStore`, `queryMetadataForKey`), as Kafka's
 * StreamsMetadataStateTest and QueryableStateIntegrationTest check it: every instance learns from
 * the group which server runs which task, so any instance names the one that holds a key, and that
 * instance's store has it. Both ways instances share tasks are covered: the in-process group of one
 * log, and the group coordinator (the same protocol as over the wire).
 */
import { describe, expect, it } from 'vitest';
import { GroupCoordinator } from '../../src/client/group/coordinator.ts';
import { createLogger, logLevel } from '../../src/client/logger.ts';
import { ManualClock } from '../../src/clock.ts';
import { OffsetStore } from '../../src/cluster/offset-store.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { defaultPartition } from '../../src/protocol/index.ts';
import { KafkaStreams, StreamsBuilder, type TaskAssignor } from '../../src/streams/index.ts';
import { assignTasks, CoordinatorTaskGroup } from '../../src/streams/internal/coordinator-task-group.ts';
import { S, until } from './helpers.ts';

const enc = new TextEncoder();
const KEYS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

function topology() {
  const b = new StreamsBuilder();
  b.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey().count({ materialized: 'counts' });
  b.globalTable('names', { keySerde: S, valueSerde: S, materialized: 'names-store' });
  return b.build();
}

async function clicks(log: EmbeddedLogBackend): Promise<void> {
  await log.createTopic({ topic: 'clicks', numPartitions: 4 });
  await log.createTopic({ topic: 'names', numPartitions: 1 });
  for (const key of KEYS)
    await log.append('clicks', defaultPartition(enc.encode(key), 4), [
      { key: enc.encode(key), value: enc.encode('x') },
    ]);
}

/** Two instances at `a:1` and `b:2`, with tasks spread over both. */
async function twoInstances(log: EmbeddedLogBackend, assignor?: () => TaskAssignor) {
  const make = (server: string) =>
    new KafkaStreams(topology(), {
      applicationId: 'iq-meta',
      log,
      applicationServer: server,
      ...(assignor !== undefined ? { assignor: assignor() } : {}),
    });
  const a = make('a:1');
  const b = make('b:2');
  await a.start();
  await b.start();
  await until(async () => {
    if (a.tasks.length !== 2 || b.tasks.length !== 2) return false;
    const hosts = (s: KafkaStreams) => s.metadataForAllStreamsClients().map((m) => m.topicPartitions.length);
    return hosts(a).join() === '2,2' && hosts(b).join() === '2,2';
  });
  await a.waitForIdle();
  await b.waitForIdle();
  return { a, b, byServer: new Map([['a', a] as const, ['b', b] as const]) };
}

async function expectEveryKeyFound(a: KafkaStreams, b: KafkaStreams, byServer: Map<string, KafkaStreams>) {
  for (const asking of [a, b]) {
    for (const key of KEYS) {
      const where = asking.queryMetadataForKey('counts', key, S);
      expect(where.partition).toBe(defaultPartition(enc.encode(key), 4));
      const holder = byServer.get(where.activeHost.host)!;
      expect(holder.store<string, number>('counts').get(key)).toBe(1);
      const other = holder === a ? b : a;
      expect(other.store<string, number>('counts').get(key)).toBeNull();
    }
  }
}

describe('interactive-query metadata across instances', () => {
  it('should tell every instance which server holds each store partition and key (in-process group)', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    try {
      await clicks(log);
      const { a, b, byServer } = await twoInstances(log);
      const all = a.metadataForAllStreamsClients();
      expect(all.map((m) => m.hostInfo).sort((x, y) => x.port - y.port)).toEqual([
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
      ]);
      expect(b.metadataForAllStreamsClients()).toEqual(expect.arrayContaining(all));
      // The input partitions are split between the two, each with the store and the global store.
      const partitions = all.flatMap((m) => m.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`)).sort();
      expect(partitions).toEqual(['clicks-0', 'clicks-1', 'clicks-2', 'clicks-3']);
      for (const m of all) expect(m.stateStoreNames).toEqual(['counts', 'names-store']);
      expect(a.streamsMetadataForStore('counts')).toHaveLength(2);
      expect(a.streamsMetadataForStore('no-such-store')).toEqual([]);
      await expectEveryKeyFound(a, b, byServer);
      // By the app's own partitioner.
      expect(a.queryMetadataForKey('counts', 'ignored', () => 3).activeHost).toEqual(
        all.find((m) => m.topicPartitions.some((tp) => tp.partition === 3))!.hostInfo,
      );
      // When b leaves, a holds everything.
      await b.close();
      await until(() => a.tasks.length === 4);
      expect(a.metadataForAllStreamsClients()).toMatchObject([{ hostInfo: { host: 'a', port: 1 } }]);
      expect(a.queryMetadataForKey('counts', 'bob', S).activeHost).toEqual({ host: 'a', port: 1 });
      await a.close();
    } finally {
      await log.close();
    }
  });

  it('should carry the servers through the group coordinator', async () => {
    const clock = new ManualClock(1_000);
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
    try {
      await clicks(log);
      const offsets = new OffsetStore(log);
      await offsets.ready();
      const coordinator = new GroupCoordinator(offsets, clock, createLogger({ level: logLevel.NOTHING }));
      const groups: CoordinatorTaskGroup[] = [];
      const assignor = () => {
        const group = new CoordinatorTaskGroup({ coordinator, clock, groupId: 'iq-meta', heartbeatInterval: 1_000 });
        groups.push(group);
        return group;
      };
      const { a, b, byServer } = await twoInstances(log, assignor);
      await Promise.all(groups.map((g) => g.settled()));
      await expectEveryKeyFound(a, b, byServer);
      await a.close();
      await b.close();
    } finally {
      await log.close();
    }
  });

  it('should deal pseudo-topics of servers to nobody and name each server its tasks', () => {
    const member = (memberId: string, topics: string[]) => ({ memberId, topics, ownedPartitions: [] });
    const deal = assignTasks([member('m1', ['0_0', '0_1', '@a:1']), member('m2', ['0_0', '0_1'])]);
    expect(Object.fromEntries(deal)).toEqual({
      m1: { 0: [0], '@a:1@0': [0] },
      m2: { 0: [1], '@a:1@0': [0] },
    });
  });

  it('should answer NOT_AVAILABLE without servers, and refuse a bad applicationServer', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    try {
      await clicks(log);
      const streams = new KafkaStreams(topology(), { applicationId: 'iq-none', log });
      await streams.start();
      expect(streams.metadataForAllStreamsClients()).toEqual([]);
      expect(streams.queryMetadataForKey('counts', 'alice', S)).toEqual({
        activeHost: { host: 'unavailable', port: -1 },
        standbyHosts: [],
        partition: defaultPartition(enc.encode('alice'), 4),
      });
      expect(() => streams.queryMetadataForKey('nope', 'alice', S)).toThrow(
        expect.objectContaining({ code: 'INVALID_STATE_STORE' }),
      );
      await streams.close();
      for (const bad of ['nohost', 'host:', ':80', 'host:99999', 'host:x'])
        expect(() => new KafkaStreams(topology(), { applicationId: 'x', log, applicationServer: bad }), bad).toThrow(
          expect.objectContaining({ code: 'INVALID_CONFIG' }),
        );
    } finally {
      await log.close();
    }
  });
});
