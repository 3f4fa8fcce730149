import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { GroupCoordinator } from '../../src/client/group/coordinator.ts';
import { OffsetStore } from '../../src/cluster/offset-store.ts';
import { createLogger, logLevel } from '../../src/client/logger.ts';
import { openLog } from '../../src/log/index.ts';
import { Tributary } from '../../src/client/tributary.ts';
import { KafkaStreams, StreamsBuilder } from '../../src/streams/index.ts';
import {
  assignTasks,
  CoordinatorTaskGroup,
  STREAMS_PROTOCOL,
} from '../../src/streams/internal/coordinator-task-group.ts';
import { L, latest, plainCount, S, until, wordCount } from './helpers.ts';

const enc = new TextEncoder();
const ALL_TASKS = ['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3'];

/** Lets the instances' loops and the group run; never waits on the wall clock. */

async function setup() {
  const clock = new ManualClock(1_000);
  const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
  await log.createTopic({ topic: 'lines', numPartitions: 4 });
  await log.createTopic({ topic: 'word-counts', numPartitions: 4, configs: { 'cleanup.policy': 'compact' } });
  const offsets = new OffsetStore(log);
  await offsets.ready();
  const coordinator = new GroupCoordinator(offsets, clock, createLogger({ level: logLevel.NOTHING }));
  const lines: string[] = [];
  const append = async (text: string[]) => {
    for (const [i, line] of text.entries()) {
      lines.push(line);
      await log.append('lines', i % 4, [{ key: null, value: enc.encode(line) }]);
    }
  };
  const instance = () => {
    const group = new CoordinatorTaskGroup({
      coordinator,
      clock,
      groupId: 'wc',
      heartbeatInterval: 1_000,
      sessionTimeout: 10_000,
    });
    const streams = new KafkaStreams(wordCount().build(), {
      applicationId: 'wc',
      log,
      commitIntervalMs: 10,
      assignor: group,
    });
    return { group, streams };
  };
  return { clock, log, coordinator, lines, append, instance };
}

describe('KafkaStreams instances sharing tasks through the group coordinator', () => {
  it('should split tasks between two instances and count exactly once when one of them closes', async () => {
    const { clock, log, coordinator, lines, append, instance } = await setup();
    await append(['the cat and the hat', 'The end', 'a cat is a cat', 'hat trick']);
    const a = instance();
    const b = instance();
    await a.streams.start();
    expect(a.streams.tasks.sort()).toEqual(ALL_TASKS);
    await b.streams.start();

    // B's tasks are withheld for one generation while A revokes them, then handed over.
    await until(async () => {
      await Promise.all([a.group.settled(), b.group.settled()]);
      return (
        b.streams.tasks.length === 4 &&
        a.streams.tasks.length === 4 &&
        coordinator.describeGroup('wc').state === 'Stable'
      );
    });
    expect([...a.streams.tasks, ...b.streams.tasks].sort()).toEqual(ALL_TASKS);
    const group = coordinator.describeGroup('wc');
    expect(group.protocol).toBe(STREAMS_PROTOCOL);
    expect(group.members.map((m) => m.memberId).sort()).toEqual(
      [...a.group.memberIds(), ...b.group.memberIds()].sort(),
    );

    await append(['the cat sat', 'on the mat', 'the end of the cat']);
    const expected = () => Object.fromEntries([...plainCount(lines)].sort());
    await until(
      async () =>
        JSON.stringify(Object.fromEntries([...(await latest(log, 'word-counts'))].sort())) ===
        JSON.stringify(expected()),
    );

    // Heartbeats on the clock keep both members in the group past the session timeout.
    clock.advance(30_000);
    await until(async () => {
      await Promise.all([a.group.settled(), b.group.settled()]);
      return coordinator.describeGroup('wc').state === 'Stable';
    });
    expect(coordinator.describeGroup('wc').members).toHaveLength(2);

    // B leaves after committing: A restores B's tasks from their changelogs and keeps counting.
    await b.streams.close();
    await until(async () => {
      await a.group.settled();
      return a.streams.tasks.length === 8;
    });
    expect(coordinator.describeGroup('wc').members).toHaveLength(1);
    await append(['the last cat', 'hat and mat', 'end', 'The The the']);
    await until(
      async () =>
        JSON.stringify(Object.fromEntries([...(await latest(log, 'word-counts'))].sort())) ===
        JSON.stringify(expected()),
    );
    await a.streams.waitForIdle();
    const store = a.streams.store<string, number>('counts-store');
    for (const [word, n] of plainCount(lines)) expect(store.get(word), word).toBe(n);
    expect(store.approximateNumEntries()).toBe(plainCount(lines).size);

    await a.streams.close();
    expect(coordinator.describeGroup('wc').state).toBe('Empty');
    await log.close();
  });

  it('should form the consumer group applicationId on a Tributary and hand tasks over when an instance closes', async () => {
    const clock = new ManualClock(1_000);
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
    const tributary = new Tributary({ log, logLevel: 0 });
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'lines', numPartitions: 4 },
        { topic: 'word-counts', numPartitions: 4, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
    });
    const producer = tributary.producer();
    await producer.connect();
    const lines: string[] = [];
    const send = async (text: string[]) => {
      lines.push(...text);
      await producer.send({ topic: 'lines', messages: text.map((value, i) => ({ value, partition: i % 4 })) });
    };
    const same = async () =>
      JSON.stringify(Object.fromEntries([...(await latest(log, 'word-counts'))].sort())) ===
      JSON.stringify(Object.fromEntries([...plainCount(lines)].sort()));

    await send(['the cat and the hat', 'The end', 'a cat is a cat', 'hat trick']);
    const a = new KafkaStreams(wordCount().build(), { applicationId: 'wc', tributary, commitIntervalMs: 10 });
    const b = new KafkaStreams(wordCount().build(), { applicationId: 'wc', tributary, commitIntervalMs: 10 });
    await a.start();
    await b.start();
    await until(() => a.tasks.length === 4 && b.tasks.length === 4);
    expect([...a.tasks, ...b.tasks].sort()).toEqual(ALL_TASKS);
    const { groups } = await admin.describeGroups(['wc']);
    expect(groups[0]!.members).toHaveLength(2);

    await send(['the cat sat', 'on the mat']);
    await until(same);
    await b.close();
    await until(() => a.tasks.length === 8);
    await send(['the last cat', 'hat and mat']);
    await until(same);
    await a.close();
    expect((await admin.describeGroups(['wc'])).groups[0]!.state).toBe('Empty');
    await producer.disconnect();
    await admin.disconnect();
    await log.close();
  });

  it('should not let an instance the group dropped commit what its tasks did meanwhile', async () => {
    const { clock, log, coordinator, lines, append } = await setup();
    // One topology for both instances; B's copy drops B from the group in the middle of processing,
    // as a session timeout would while B is busy, so B holds processed but uncommitted work.
    let dropB: (() => void) | undefined;
    const topology = (onRecord: () => void) => {
      const builder = new StreamsBuilder();
      builder
        .stream('lines', { keySerde: S, valueSerde: S })
        .peek(() => onRecord())
        .flatMapValues((line) =>
          line
            .toLowerCase()
            .split(/\W+/)
            .filter((w) => w.length > 0),
        )
        .groupBy((_key, word) => word, { keySerde: S, valueSerde: S })
        .count({ materialized: 'counts-store' })
        .toStream()
        .peek(() => onRecord())
        .to('word-counts', { keySerde: S, valueSerde: L });
      return builder.build();
    };
    const groupA = new CoordinatorTaskGroup({
      coordinator,
      clock,
      groupId: 'wc',
      heartbeatInterval: 1_000,
      sessionTimeout: 10_000,
    });
    const groupB = new CoordinatorTaskGroup({
      coordinator,
      clock,
      groupId: 'wc',
      heartbeatInterval: 1_000,
      sessionTimeout: 10_000,
    });
    const a = new KafkaStreams(
      topology(() => undefined),
      { applicationId: 'wc', log, commitIntervalMs: 10, assignor: groupA },
    );
    // B's log counts the writes B starts between its drop and its learning of it: there must be none.
    let watching = false;
    let writesWhileDropped = 0;
    const logOfB = new Proxy(log, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (property === 'write') {
          return (...args: Parameters<typeof log.write>) => {
            if (watching) writesWhileDropped++;
            return target.write(...args);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const b = new KafkaStreams(
      topology(() => dropB?.()),
      { applicationId: 'wc', log: logOfB, commitIntervalMs: 10, assignor: groupB },
    );
    await append(['the cat and the hat', 'The end', 'a cat is a cat', 'hat trick']);
    await a.start();
    await b.start();
    await until(async () => {
      await Promise.all([groupA.settled(), groupB.settled()]);
      return a.tasks.length === 4 && b.tasks.length === 4;
    });
    const expected = () => JSON.stringify(Object.fromEntries([...plainCount(lines)].sort()));
    const current = async () => JSON.stringify(Object.fromEntries([...(await latest(log, 'word-counts'))].sort()));
    await until(async () => (await current()) === expected());

    let dropped = false;
    dropB = () => {
      if (dropped) return;
      dropped = true;
      coordinator.leaveGroup('wc', groupB.memberIds()[0]!);
      watching = true;
    };
    await append(['the cat sat', 'on the mat', 'the end of the cat', 'hat hat hat', 'mat cat', 'end end']);
    await until(() => dropped);
    await until(async () => (await current()) === expected());
    await a.waitForIdle();
    // Give B every chance to write what it processed before it was dropped: it must not.
    for (let i = 0; i < 500; i++) await new Promise((r) => setImmediate(r));
    expect(await current()).toBe(expected());
    expect(writesWhileDropped).toBe(0);
    watching = false;
    // B's next heartbeat tells it it is out; it drops its tasks and rejoins as a new member.
    clock.advance(2_000);
    await until(async () => {
      await Promise.all([groupA.settled(), groupB.settled()]);
      return coordinator.describeGroup('wc').members.length === 2 && coordinator.describeGroup('wc').state === 'Stable';
    });
    await a.waitForIdle();
    for (let i = 0; i < 500; i++) await new Promise((r) => setImmediate(r));
    expect(await current()).toBe(expected());
    await b.close();
    await a.close();
    await log.close();
  });

  it('should withhold a task another member still owns when the leader deals', () => {
    const cases: { owned: Record<string, string[]>; want: Record<string, Record<string, number[]>> }[] = [
      { owned: { a: [], b: [] }, want: { a: { '0': [0, 2] }, b: { '0': [1, 3] } } },
      { owned: { a: ['0_0', '0_1', '0_2', '0_3'], b: [] }, want: { a: { '0': [0, 2] }, b: {} } },
      { owned: { a: ['0_0', '0_2'], b: [] }, want: { a: { '0': [0, 2] }, b: { '0': [1, 3] } } },
      { owned: { a: [], b: ['0_0'] }, want: { a: { '0': [2] }, b: { '0': [1, 3] } } },
    ];
    for (const { owned, want } of cases) {
      const members = Object.entries(owned).map(([memberId, tasks]) => ({
        memberId,
        topics: ['0_0', '0_1', '0_2', '0_3'],
        ownedPartitions:
          tasks.length === 0 ? [] : [{ topic: '0', partitions: tasks.map((t) => Number(t.split('_')[1])) }],
      }));
      expect(Object.fromEntries(assignTasks(members))).toEqual(want);
    }
  });
});
