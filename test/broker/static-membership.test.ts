import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { Tributary } from '../../src/index.ts';
import { KafkaCode } from '../../src/broker/errors.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { RawClient } from './raw-client.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
const clients: RawClient[] = [];

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  broker = await serve({ log, port: 0, logLevel: 0, groupInitialRebalanceDelayMs: 0 });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await broker.close();
  await log.close();
});

async function connect(): Promise<RawClient> {
  const client = await RawClient.connect(broker.address().port);
  clients.push(client);
  return client;
}

/** A subscription to topic `t` (ConsumerProtocol v0). */
const SUBSCRIPTION = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 0]);

function join(client: RawClient, groupInstanceId: string | null, memberId = '', version = 5) {
  return client.request(API.JoinGroup, version, {
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: SUBSCRIPTION }],
  });
}

function sync(
  client: RawClient,
  memberId: string,
  generationId: number,
  groupInstanceId: string | null,
  assignments: { memberId: string; assignment: Buffer }[] = [],
) {
  return client.request(API.SyncGroup, 3, { groupId: 'g', generationId, memberId, groupInstanceId, assignments });
}

function heartbeat(client: RawClient, memberId: string, generationId: number, groupInstanceId: string | null) {
  return client.request(API.Heartbeat, 3, { groupId: 'g', generationId, memberId, groupInstanceId });
}

/** KIP-345: a restarted static member takes its old place without a rebalance. */
describe('static membership', () => {
  it('should join a static member without MEMBER_ID_REQUIRED, and name its instance id to the leader', async () => {
    const answer = await join(await connect(), 'instance-a');
    expect(answer.errorCode).toBe(0);
    expect(answer.members).toEqual([
      expect.objectContaining({ memberId: answer.memberId, groupInstanceId: 'instance-a' }),
    ]);
  });

  it('should give a restarted static member its old place and assignment without a rebalance, and fence the old member id', async () => {
    const a = await connect();
    const b = await connect();
    // Both join one generation: a joins, then b's join makes a rejoin.
    const firstA = await join(a, 'instance-a');
    const joinB = join(b, 'instance-b');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [rejoinA, joinedB] = await Promise.all([join(a, 'instance-a', firstA.memberId), joinB]);
    expect(rejoinA.generationId).toBe(joinedB.generationId);
    const generation = rejoinA.generationId;
    const leader = rejoinA.leader === rejoinA.memberId ? { client: a, res: rejoinA } : { client: b, res: joinedB };
    const follower = leader.client === a ? { client: b, res: joinedB } : { client: a, res: rejoinA };
    const assignments = [
      { memberId: rejoinA.memberId, assignment: Buffer.from('assignment of a') },
      { memberId: joinedB.memberId, assignment: Buffer.from('assignment of b') },
    ];
    const followerSync = sync(
      follower.client,
      follower.res.memberId,
      generation,
      follower.client === a ? 'instance-a' : 'instance-b',
    );
    await sync(
      leader.client,
      leader.res.memberId,
      generation,
      leader.client === a ? 'instance-a' : 'instance-b',
      assignments,
    );
    expect((await followerSync).errorCode).toBe(0);

    // a restarts: a new connection, no member id, the same instance id.
    const restarted = await connect();
    const again = await join(restarted, 'instance-a');
    expect(again.errorCode).toBe(0);
    expect(again.generationId).toBe(generation);
    expect(again.memberId).not.toBe(rejoinA.memberId);
    const synced = await sync(restarted, again.memberId, generation, 'instance-a');
    expect(synced).toMatchObject({ errorCode: 0 });
    expect(Buffer.from(synced.assignment).toString()).toBe('assignment of a');
    // No rebalance: b's heartbeat is fine in the same generation.
    expect((await heartbeat(b, joinedB.memberId, generation, 'instance-b')).errorCode).toBe(0);
    expect((await heartbeat(restarted, again.memberId, generation, 'instance-a')).errorCode).toBe(0);
    // The old member id is fenced.
    expect((await heartbeat(a, rejoinA.memberId, generation, 'instance-a')).errorCode).toBe(
      KafkaCode.FENCED_INSTANCE_ID,
    );
    expect((await sync(a, rejoinA.memberId, generation, 'instance-a')).errorCode).toBe(KafkaCode.FENCED_INSTANCE_ID);
    expect((await join(a, 'instance-a', rejoinA.memberId)).errorCode).toBe(KafkaCode.FENCED_INSTANCE_ID);
  });

  it('should tell a restarted static leader of a Stable group to skip assigning (JoinGroup v9)', async () => {
    const a = await connect();
    const first = await join(a, 'leader', '', 9);
    expect(first.leader).toBe(first.memberId);
    await sync(a, first.memberId, first.generationId, 'leader', [
      { memberId: first.memberId, assignment: Buffer.from('mine') },
    ]);
    const restarted = await connect();
    const again = await join(restarted, 'leader', '', 9);
    expect(again).toMatchObject({ errorCode: 0, generationId: first.generationId, skipAssignment: true });
    expect(again.leader).toBe(again.memberId);
    expect(
      Buffer.from((await sync(restarted, again.memberId, again.generationId, 'leader')).assignment).toString(),
    ).toBe('mine');
  });

  it('should fence the old member id on OffsetCommit v7, and let LeaveGroup v3 name a static member by its instance id', async () => {
    await log.createTopic({ topic: 't', numPartitions: 1 });
    const a = await connect();
    const first = await join(a, 'instance-a');
    await sync(a, first.memberId, first.generationId, 'instance-a', [
      { memberId: first.memberId, assignment: Buffer.from('x') },
    ]);
    const restarted = await connect();
    const again = await join(restarted, 'instance-a');
    const commit = (memberId: string) =>
      a.request(API.OffsetCommit, 7, {
        groupId: 'g',
        generationIdOrMemberEpoch: first.generationId,
        memberId,
        groupInstanceId: 'instance-a',
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: null }] }],
      });
    expect((await commit(first.memberId)).topics[0]!.partitions[0]!.errorCode).toBe(KafkaCode.FENCED_INSTANCE_ID);
    expect((await commit(again.memberId)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    const leave = (members: { memberId: string; groupInstanceId: string | null }[]) =>
      a.request(API.LeaveGroup, 3, { groupId: 'g', members });
    expect((await leave([{ memberId: first.memberId, groupInstanceId: 'instance-a' }])).members[0]!.errorCode).toBe(
      KafkaCode.FENCED_INSTANCE_ID,
    );
    expect((await leave([{ memberId: '', groupInstanceId: 'nobody' }])).members[0]!.errorCode).toBe(
      KafkaCode.UNKNOWN_MEMBER_ID,
    );
    expect((await leave([{ memberId: '', groupInstanceId: 'instance-a' }])).members[0]!.errorCode).toBe(0);
    // Gone: the instance id is free, and the next join under it starts a new generation.
    const fresh = await join(await connect(), 'instance-a');
    expect(fresh).toMatchObject({ errorCode: 0, generationId: first.generationId + 2 });
  });

  it("should name a static member's instance id in DescribeGroups v4+, null for a dynamic member, and keep it across a restart", async () => {
    const a = await connect();
    const b = await connect();
    const firstA = await join(a, 'instance-a');
    // b is dynamic (JoinGroup v3: no instance id, no MEMBER_ID_REQUIRED); its join makes a rejoin.
    const joinB = join(b, null, '', 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [rejoinA, joinedB] = await Promise.all([join(a, 'instance-a', firstA.memberId), joinB]);
    const describe = async (version: number) => {
      const res = await a.request(API.DescribeGroups, version, { groups: ['g'], includeAuthorizedOperations: false });
      return new Map(
        res.groups[0]!.members.map((m: { memberId: string; groupInstanceId: string | null }) => [
          m.memberId,
          m.groupInstanceId,
        ]),
      );
    };
    for (const version of [4, 5]) {
      expect(await describe(version)).toEqual(
        new Map([
          [rejoinA.memberId, 'instance-a'],
          [joinedB.memberId, null],
        ]),
      );
    }
    // Before v4 the field is not on the wire: the decoder gives its default, null.
    expect([...(await describe(3)).values()]).toEqual([null, null]);

    // The leader hands out assignments; then a restarts under its instance id with a new member id.
    const leader = rejoinA.leader === rejoinA.memberId ? { c: a, id: 'instance-a' } : { c: b, id: null };
    const follower = leader.c === a ? { c: b, res: joinedB, id: null } : { c: a, res: rejoinA, id: 'instance-a' };
    const followerSync = sync(follower.c, follower.res.memberId, rejoinA.generationId, follower.id);
    await sync(leader.c, leader.c === a ? rejoinA.memberId : joinedB.memberId, rejoinA.generationId, leader.id, [
      { memberId: rejoinA.memberId, assignment: Buffer.from('a') },
      { memberId: joinedB.memberId, assignment: Buffer.from('b') },
    ]);
    await followerSync;
    const again = await join(await connect(), 'instance-a');
    expect(again.errorCode).toBe(0);
    expect(await describe(5)).toEqual(
      new Map([
        [again.memberId, 'instance-a'],
        [joinedB.memberId, null],
      ]),
    );

    // Tributary's own admin over the wire, and the shared coordinator in process, say the same.
    const wire = new Tributary({ brokers: [`127.0.0.1:${broker.address().port}`], logLevel: 0 });
    const admin = wire.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups(['g']);
      const instances = (members: { memberId: string; groupInstanceId?: string }[]) =>
        new Map(members.map((m) => [m.memberId, m.groupInstanceId]));
      const expected = new Map([
        [again.memberId, 'instance-a'],
        [joinedB.memberId, undefined],
      ]);
      expect(instances(groups[0]!.members)).toEqual(expected);
      const local = new Tributary({ log, logLevel: 0 });
      const localAdmin = local.admin();
      await localAdmin.connect();
      expect(instances((await localAdmin.describeGroups(['g'])).groups[0]!.members)).toEqual(expected);
      await localAdmin.disconnect();
      await local.close();
    } finally {
      await admin.disconnect();
      await wire.close();
    }
  });
});
