import { afterEach, describe, expect, it } from 'vitest';
import { WireCluster } from '../../../src/client/wire/cluster.ts';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../../src/client/wire/consumer-protocol.ts';
import { decodeFetched, WireFetcher } from '../../../src/client/wire/fetcher.ts';
import { WireGroup } from '../../../src/client/wire/group.ts';
import { WireTransport } from '../../../src/client/wire/transport.ts';
import { encodeControlBatch } from '../../../src/protocol/control-record.ts';
import { API } from '../../../src/protocol/messages/index.ts';
import { encodeRecordBatch } from '../../../src/protocol/record-batch.ts';
import { FakeKafka } from './fake-kafka.ts';

const value = (v: string) => ({ key: null, value: Buffer.from(v), timestamp: 1 });
const batch = (baseOffset: number, values: string[], extra: { producerId?: number; isTransactional?: boolean } = {}) =>
  Buffer.from(
    encodeRecordBatch({ baseOffset, records: values.map(value), producerEpoch: 0, baseSequence: 0, ...extra }),
  );
const abortMarker = (offset: number, producerId: number) =>
  Buffer.from(encodeControlBatch({ baseOffset: offset, producerId, producerEpoch: 0, marker: 'ABORT', timestamp: 1 }));
const values = (r: { records: { value: Uint8Array | null }[] }) =>
  r.records.map((x) => Buffer.from(x.value!).toString());

describe('the consumer protocol bytes', () => {
  it('shouldRoundTripASubscriptionWithOwnedPartitions', () => {
    const sub = { topics: ['a', 'b'], ownedPartitions: [{ topic: 'a', partitions: [0, 2] }] };
    expect(decodeSubscription(encodeSubscription(sub))).toEqual(sub);
  });

  it('shouldReadAVersion0SubscriptionAsKafkajsWritesIt', () => {
    // version 0, topics ['t'], user_data null
    const v0 = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff]);
    expect(decodeSubscription(v0)).toEqual({ topics: ['t'], ownedPartitions: [] });
  });

  it('shouldRoundTripAnAssignmentAndReadAnEmptyOneAsNothing', () => {
    expect(decodeAssignment(encodeAssignment({ a: [0, 1], b: [3] }))).toEqual({ a: [0, 1], b: [3] });
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({});
  });

  it('shouldRefuseTruncatedBytesWithCorruptMessage', () => {
    expect(() =>
      decodeSubscription(encodeSubscription({ topics: ['abc'], ownedPartitions: [] }).subarray(0, 6)),
    ).toThrow(expect.objectContaining({ code: 'CORRUPT_MESSAGE' }));
  });
});

describe('decodeFetched', () => {
  it('shouldSkipRecordsBeforeTheFetchOffsetInABatchThatStartsEarlier', () => {
    const r = decodeFetched(Buffer.concat([batch(0, ['a', 'b', 'c']), batch(3, ['d'])]), 2, [], 't', 0);
    expect(values(r)).toEqual(['c', 'd']);
    expect(r.records.map((x) => x.offset)).toEqual([2, 3]);
    expect(r.nextOffset).toBe(4);
  });

  it('shouldDropATruncatedLastBatchForTheNextFetch', () => {
    const whole = Buffer.concat([batch(0, ['a']), batch(1, ['b', 'c'])]);
    const r = decodeFetched(whole.subarray(0, whole.length - 5), 0, [], 't', 0);
    expect(values(r)).toEqual(['a']);
    expect(r.nextOffset).toBe(1);
  });

  it('shouldDropAbortedTransactionsAndControlBatchesUnderReadCommitted', () => {
    const bytes = Buffer.concat([
      batch(0, ['kept-1']),
      batch(1, ['aborted-1', 'aborted-2'], { producerId: 7, isTransactional: true }),
      batch(3, ['committed'], { producerId: 8, isTransactional: true }),
      abortMarker(4, 7),
      batch(5, ['after'], { producerId: 7, isTransactional: true }),
    ]);
    const r = decodeFetched(bytes, 0, [{ producerId: 7, firstOffset: 1 }], 't', 0);
    expect(values(r)).toEqual(['kept-1', 'committed', 'after']);
    expect(r.nextOffset).toBe(6);
  });

  it('shouldStepOverABatchOfOnlyControlRecords', () => {
    const r = decodeFetched(abortMarker(10, 7), 10, [], 't', 0);
    expect(r.records).toEqual([]);
    expect(r.nextOffset).toBe(11);
  });
});

describe('the group adapter on a fake coordinator', () => {
  let fake: FakeKafka;
  let cluster: WireCluster;
  afterEach(async () => {
    await cluster?.disconnect();
    await fake?.stop();
    expect(fake?.errors ?? []).toEqual([]);
  });

  it('shouldRejoinWithTheMemberIdKafkaRequiresAndRetryWhileTheCoordinatorLoads', async () => {
    fake = await FakeKafka.start(2);
    fake.coordinator = 2;
    fake.createTopic('t', 2);
    const joins: string[] = [];
    let loading = 1;
    fake.on(
      API.JoinGroup.apiKey,
      (req: { memberId: string; protocols: { name: string; metadata: Buffer }[] }, { broker }) => {
        expect(broker.nodeId).toBe(2);
        joins.push(req.memberId);
        const base = {
          throttleTimeMs: 0,
          generationId: -1,
          protocolType: 'consumer',
          protocolName: null,
          leader: '',
          skipAssignment: false,
          memberId: '',
          members: [],
        };
        if (loading-- > 0) return { ...base, errorCode: 14 };
        if (req.memberId === '') return { ...base, errorCode: 79, memberId: 'm-1' };
        return {
          ...base,
          errorCode: 0,
          generationId: 5,
          protocolName: req.protocols[0]!.name,
          leader: 'm-1',
          memberId: 'm-1',
          members: [{ memberId: 'm-1', groupInstanceId: null, metadata: req.protocols[0]!.metadata }],
        };
      },
    );
    fake.on(
      API.SyncGroup.apiKey,
      (req: {
        generationId: number;
        protocolName: string | null;
        assignments: { memberId: string; assignment: Buffer }[];
      }) => {
        expect([req.generationId, req.protocolName]).toEqual([5, 'roundrobin']);
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          protocolType: 'consumer',
          protocolName: 'roundrobin',
          assignment: req.assignments[0]!.assignment,
        };
      },
    );
    fake.on(API.OffsetFetch.apiKey, (req: { topics: { name: string; partitionIndexes: number[] }[] }) => ({
      throttleTimeMs: 0,
      errorCode: 0,
      groups: [],
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({
          partitionIndex: p,
          committedOffset: p === 1 ? 42 : -1,
          committedLeaderEpoch: -1,
          metadata: p === 1 ? 'meta' : null,
          errorCode: 0,
        })),
      })),
    }));
    cluster = new WireCluster({
      brokers: fake.bootstrap,
      clientId: 'unit',
      retry: { initialRetryTime: 1, retries: 3 },
    });
    await cluster.connect();
    const group = new WireGroup(new WireFetcher(new WireTransport(cluster, () => 0)));
    const ids: string[] = [];
    const join = await group.joinGroup({
      groupId: 'g',
      memberId: '',
      clientId: 'unit',
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      protocols: ['roundrobin'],
      topics: ['t'],
      ownedPartitions: [],
      onRebalance: () => undefined,
      onMemberId: (id) => ids.push(id),
    });
    expect(joins).toEqual(['', '', 'm-1']);
    expect(ids).toEqual(['m-1']);
    expect(join).toMatchObject({
      generationId: 5,
      memberId: 'm-1',
      leaderId: 'm-1',
      protocol: 'roundrobin',
      members: [{ memberId: 'm-1', topics: ['t'], ownedPartitions: [] }],
    });
    const assignment = await group.syncGroup({
      groupId: 'g',
      memberId: 'm-1',
      generationId: 5,
      assignments: new Map([['m-1', { t: [0, 1] }]]),
    });
    expect(assignment).toEqual({ t: [0, 1] });
    expect(group.offsets.get('g', 't', 1)).toMatchObject({ offset: 42, metadata: 'meta' });
    expect(group.offsets.get('g', 't', 0)).toBeUndefined();
  });

  it('shouldTellTheMemberToRejoinWhenAHeartbeatMeetsARebalance', async () => {
    fake = await FakeKafka.start(1);
    fake.on(API.JoinGroup.apiKey, (req: { protocols: { name: string; metadata: Buffer }[] }) => ({
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 1,
      protocolType: 'consumer',
      protocolName: req.protocols[0]!.name,
      leader: 'm',
      skipAssignment: false,
      memberId: 'm',
      members: [],
    }));
    fake.on(API.Heartbeat.apiKey, () => ({ throttleTimeMs: 0, errorCode: 27 }));
    cluster = new WireCluster({ brokers: fake.bootstrap, clientId: 'unit' });
    await cluster.connect();
    const group = new WireGroup(new WireFetcher(new WireTransport(cluster, () => 0)));
    let rebalances = 0;
    await group.joinGroup({
      groupId: 'g',
      memberId: 'm',
      clientId: 'c',
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      protocols: ['range'],
      topics: [],
      ownedPartitions: [],
      onRebalance: () => rebalances++,
    });
    group.heartbeat({ groupId: 'g', memberId: 'm', generationId: 1 });
    for (let i = 0; i < 1000 && rebalances === 0; i++) await new Promise((r) => setImmediate(r));
    expect(rebalances).toBe(1);
    expect(() => group.heartbeat({ groupId: 'g', memberId: 'm', generationId: 1 })).toThrow(
      expect.objectContaining({ code: 'REBALANCE_IN_PROGRESS' }),
    );
  });
});
