import { describe, expect, it } from 'vitest';
import { ManualClock, openLog } from '../../src/index.ts';
import { cooperativeStickyAssignor, rangeAssignor, roundRobinAssignor } from '../../src/client/group/assignors.ts';
import { GroupCoordinator, type JoinRequest } from '../../src/cluster/index.ts';
import { OffsetStore } from '../../src/cluster/offset-store.ts';
import { createLogger, logLevel } from '../../src/client/logger.ts';

async function coordinator() {
  const clock = new ManualClock(0);
  const log = await openLog({ storage: 'memory', clock, maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 4 });
  const store = new OffsetStore(log);
  await store.ready();
  return { clock, log, coordinator: new GroupCoordinator(store, clock, createLogger({ level: logLevel.NOTHING })) };
}

function request(memberId = '', onRebalance: () => void = () => undefined): JoinRequest {
  return {
    groupId: 'g',
    memberId,
    clientId: 'c',
    sessionTimeout: 10_000,
    rebalanceTimeout: 20_000,
    protocols: ['roundrobin'],
    topics: ['t'],
    ownedPartitions: [],
    onRebalance,
  };
}

describe('GroupCoordinator', () => {
  it('should fence the old generation with ILLEGAL_GENERATION and a rebalancing group with REBALANCE_IN_PROGRESS when a member joins', async () => {
    const { coordinator: c } = await coordinator();
    const a = await c.joinGroup(request());
    expect(a.generationId).toBe(1);
    await c.syncGroup({
      groupId: 'g',
      memberId: a.memberId,
      generationId: 1,
      assignments: new Map([[a.memberId, { t: [0, 1, 2, 3] }]]),
    });
    let notified = 0;
    const bJoin = c.joinGroup(request('', () => notified++));
    // a learns of the rebalance from its heartbeat; a commit of its current generation still counts.
    expect(() => c.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1 })).toThrow(
      expect.objectContaining({ code: 'REBALANCE_IN_PROGRESS' }),
    );
    await c.commitOffsets({
      groupId: 'g',
      memberId: a.memberId,
      generationId: 1,
      offsets: [{ topic: 't', partition: 0, offset: 3 }],
    });
    const aAgain = c.joinGroup(request(a.memberId));
    const [a2, b] = await Promise.all([aAgain, bJoin]);
    expect(a2.generationId).toBe(2);
    expect(b.generationId).toBe(2);
    expect(a2.members).toHaveLength(2); // a stays leader
    // Before the leader syncs, commits are refused.
    await expect(
      c.commitOffsets({ groupId: 'g', memberId: b.memberId, generationId: 2, offsets: [] }),
    ).rejects.toMatchObject({ code: 'REBALANCE_IN_PROGRESS' });
    const bSync = c.syncGroup({ groupId: 'g', memberId: b.memberId, generationId: 2 });
    await c.syncGroup({
      groupId: 'g',
      memberId: a.memberId,
      generationId: 2,
      assignments: new Map([
        [a.memberId, { t: [0, 1] }],
        [b.memberId, { t: [2, 3] }],
      ]),
    });
    expect(await bSync).toEqual({ t: [2, 3] });
    await expect(
      c.commitOffsets({ groupId: 'g', memberId: a.memberId, generationId: 1, offsets: [] }),
    ).rejects.toMatchObject({ code: 'ILLEGAL_GENERATION' });
    expect(c.offsets.get('g', 't', 0)?.offset).toBe(3);
    expect(notified).toBe(0);
  });

  it('should drop a member with UNKNOWN_MEMBER_ID and rebalance when its session times out', async () => {
    const { coordinator: c, clock } = await coordinator();
    const a = await c.joinGroup(request());
    await c.syncGroup({ groupId: 'g', memberId: a.memberId, generationId: a.generationId, assignments: new Map() });
    let rebalances = 0;
    const b = c.joinGroup(request('', () => rebalances++));
    const aJoin = c.joinGroup(request(a.memberId));
    const [bj] = await Promise.all([b, aJoin]);
    await c.syncGroup({ groupId: 'g', memberId: a.memberId, generationId: bj.generationId, assignments: new Map() });
    await c.syncGroup({ groupId: 'g', memberId: bj.memberId, generationId: bj.generationId });
    // b keeps heartbeating, a does not.
    for (let t = 0; t < 3; t++) {
      clock.advance(3_000);
      c.heartbeat({ groupId: 'g', memberId: bj.memberId, generationId: bj.generationId });
    }
    clock.advance(3_000);
    expect(() => c.heartbeat({ groupId: 'g', memberId: bj.memberId, generationId: bj.generationId })).toThrow(
      expect.objectContaining({ code: 'REBALANCE_IN_PROGRESS' }),
    );
    expect(rebalances).toBe(1);
    expect(c.describeGroup('g').state).toBe('PreparingRebalance');
    expect(() => c.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: bj.generationId })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_MEMBER_ID' }),
    );
    const again = await c.joinGroup(request(bj.memberId));
    expect(again.members.map((m) => m.memberId)).toEqual([bj.memberId]);
  });

  it('should drop members that do not rejoin within the rebalance timeout', async () => {
    const { coordinator: c, clock } = await coordinator();
    const a = await c.joinGroup(request());
    await c.syncGroup({ groupId: 'g', memberId: a.memberId, generationId: a.generationId, assignments: new Map() });
    const b = c.joinGroup(request());
    clock.advance(20_000);
    const joined = await b;
    expect(joined.members).toHaveLength(1);
    expect(joined.leaderId).toBe(joined.memberId);
  });
});

describe('assignors', () => {
  const members = (n: number, owned: Record<string, number[]> = {}) =>
    Array.from({ length: n }, (_, i) => ({
      memberId: `m${i}`,
      topics: ['t'],
      ownedPartitions: owned[`m${i}`] ? [{ topic: 't', partitions: owned[`m${i}`]! }] : [],
    }));
  const parts = new Map([['t', 8]]);

  it('should give contiguous ranges when the range assignor deals 8 partitions to 3 members', async () => {
    const out = await rangeAssignor.assign(members(3), parts);
    expect([...out.values()].map((a) => a.t)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
    ]);
  });

  it('should deal in turn when the round-robin assignor deals 8 partitions to 3 members', async () => {
    const out = await roundRobinAssignor.assign(members(3), parts);
    expect([...out.values()].map((a) => a.t)).toEqual([
      [0, 3, 6],
      [1, 4, 7],
      [2, 5],
    ]);
  });

  it('should keep owned partitions and withhold moving ones when cooperative-sticky adds a member', async () => {
    const out = await cooperativeStickyAssignor.assign(members(2, { m0: [0, 1, 2, 3, 4, 5, 6, 7] }), parts);
    expect(out.get('m0')!.t!.length).toBe(4);
    expect(out.get('m1')!.t ?? []).toEqual([]); // handed over in the follow-up round
    const follow = await cooperativeStickyAssignor.assign(members(2, { m0: out.get('m0')!.t! }), parts);
    expect(follow.get('m0')!.t).toEqual(out.get('m0')!.t);
    expect(follow.get('m1')!.t!.length).toBe(4);
  });
});

describe('the move to src/cluster', () => {
  it('should leave the old module paths naming the same coordinator', async () => {
    const old = await import('../../src/client/group/coordinator.ts');
    const oldShared = await import('../../src/client/group/shared.ts');
    const cluster = await import('../../src/cluster/index.ts');
    expect(old.GroupCoordinator).toBe(cluster.GroupCoordinator);
    expect(oldShared.acquireCoordinator).toBe(cluster.acquireCoordinator);
    expect(oldShared.releaseCoordinator).toBe(cluster.releaseCoordinator);
  });

  it('should leave the old offset store path naming the same store', async () => {
    const old = await import('../../src/client/group/offset-store.ts');
    const cluster = await import('../../src/cluster/index.ts');
    expect(old.OffsetStore).toBe(cluster.OffsetStore);
    expect(old.OFFSETS_TOPIC).toBe(cluster.OFFSETS_TOPIC);
  });
});
