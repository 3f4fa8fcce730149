import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { topicUuid } from '../../src/broker/topic-ids.ts';
import { ManualClock } from '../../src/clock.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { decodeRecordBatch, encodeRecordBatch } from '../../src/protocol/index.ts';
import type { FetchRequest } from '../../src/protocol/messages/fetch.ts';
import { API } from '../../src/protocol/messages/index.ts';
import type { Input } from '../../src/protocol/wire/schema.ts';
import { until } from '../client/helpers.ts';
import { RawClient } from './raw-client.ts';

let clock: ManualClock;
let log: EmbeddedLogBackend;
let broker: Broker;
let client: RawClient;

beforeEach(async () => {
  clock = new ManualClock(1_700_000_000_000);
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
  await log.createTopic({ topic: 't', numPartitions: 1 });
  broker = await serve({ log, port: 0, logLevel: 0, groupInitialRebalanceDelayMs: 0 });
  client = await RawClient.connect(broker.address().port);
});

afterEach(async () => {
  client.close();
  await broker.close();
  await log.close();
});

const ZERO = 'AAAAAAAAAAAAAAAAAAAAAA';

function fetchRequest(offset: number, options: Partial<FetchRequest> & { byId?: string } = {}): Input<FetchRequest> {
  return {
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes: 1 << 20,
    isolationLevel: options.isolationLevel ?? 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: 't',
        topicId: options.byId ?? ZERO,
        partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20 }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

async function append(values: string[]): Promise<void> {
  await log.append(
    't',
    0,
    values.map((v) => ({ key: null, value: Buffer.from(v) })),
  );
}

describe('the broker, speaking the protocol', () => {
  it('should name topics by UUID in Metadata v10+ and serve Fetch v13+ by UUID', async () => {
    await append(['a']);
    const { topicId } = await log.describeTopic('t');
    const metadata = await client.request(API.Metadata, 12, {
      topics: [{ topicId: topicUuid(topicId), name: null }],
      allowAutoTopicCreation: false,
    });
    expect(metadata.topics.map((t) => [t.name, t.topicId, t.errorCode])).toEqual([['t', topicUuid(topicId), 0]]);
    const fetched = await client.request(API.Fetch, 13, fetchRequest(0, { byId: topicUuid(topicId) }));
    expect(fetched.responses[0]!.topicId).toBe(topicUuid(topicId));
    expect(
      decodeRecordBatch(fetched.responses[0]!.partitions[0]!.records!).records.map((r) =>
        Buffer.from(r.value!).toString(),
      ),
    ).toEqual(['a']);
    const unknown = await client.request(API.Fetch, 13, fetchRequest(0, { byId: topicUuid(999) }));
    expect(unknown.responses[0]!.partitions[0]!.errorCode).toBe(100);
  });

  it('should serve the whole batch that holds the fetch offset', async () => {
    await append(['a', 'b', 'c']);
    const fetched = await client.request(API.Fetch, 11, fetchRequest(1));
    const batch = decodeRecordBatch(fetched.responses[0]!.partitions[0]!.records!);
    expect([batch.baseOffset, batch.records.length]).toEqual([0, 3]);
    const beyond = await client.request(API.Fetch, 11, fetchRequest(4));
    expect(beyond.responses[0]!.partitions[0]!.errorCode).toBe(1);
  });

  it('should hold a fetch until an append wakes it, and answer empty when max_wait_ms passes', async () => {
    const waiting = client.request(API.Fetch, 11, fetchRequest(0, { maxWaitMs: 600_000 }));
    let answered = false;
    void waiting.then(() => {
      answered = true;
    });
    // The request is parked on its max_wait_ms timer (a ManualClock one, which never fires on its own).
    await until(() => clock.pendingTimers === 1, 'the fetch to wait');
    expect(answered).toBe(false);
    await append(['wake']);
    const woken = await waiting;
    expect(woken.responses[0]!.partitions[0]!.records!.length).toBeGreaterThan(0);

    const idle = client.request(API.Fetch, 11, fetchRequest(1, { maxWaitMs: 500 }));
    await until(() => clock.pendingTimers === 1, 'the second fetch to wait');
    clock.advance(500);
    const timedOut = await idle;
    expect(timedOut.responses[0]!.partitions[0]!.records!.length).toBe(0);
    expect(timedOut.responses[0]!.partitions[0]!.highWatermark).toBe(1);
  });

  it('should answer a waiting fetch past the end or before the start at once, with OFFSET_OUT_OF_RANGE', async () => {
    await append(['a', 'b']);
    await log.deleteRecords('t', 0, 1);
    for (const offset of [0, 3]) {
      const res = await client.request(API.Fetch, 11, fetchRequest(offset, { maxWaitMs: 600_000 }));
      expect(res.responses[0]!.partitions[0]!.errorCode).toBe(1);
    }
    expect(clock.pendingTimers).toBe(0);
  });

  it('should answer ListOffsets for -1, -2, -3 and a timestamp', async () => {
    await log.append('t', 0, [
      { key: null, value: Buffer.from('old'), timestamp: 1000 },
      { key: null, value: Buffer.from('newest'), timestamp: 5000 },
      { key: null, value: Buffer.from('mid'), timestamp: 3000 },
    ]);
    await log.deleteRecords('t', 0, 0);
    const res = await client.request(API.ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        { name: 't', partitions: [-1, -2, -3, 2000, 9000].map((timestamp) => ({ partitionIndex: 0, timestamp })) },
      ],
    });
    expect(res.topics[0]!.partitions.map((p) => [p.offset, p.timestamp])).toEqual([
      [3, -1],
      [0, -1],
      [1, 5000],
      [1, 5000],
      [-1, -1],
    ]);
  });

  it('should stop read_committed fetches at the last stable offset and list aborted transactions', async () => {
    const { producerId, producerEpoch } = await log.initProducerId({ transactionalId: 'tx' });
    const txn = (value: string, baseSequence: number) =>
      encodeRecordBatch({
        baseOffset: 0,
        records: [{ key: null, value: Buffer.from(value), timestamp: 1 }],
        producerId,
        producerEpoch,
        baseSequence,
        isTransactional: true,
      });
    await log.appendRecordBatch('t', 0, txn('aborted', 0));
    await log.endTransaction({ producerId, producerEpoch, commit: false });
    await log.appendRecordBatch('t', 0, txn('open', 1));
    const committed = await client.request(API.Fetch, 11, fetchRequest(0, { isolationLevel: 1 }));
    const partition = committed.responses[0]!.partitions[0]!;
    expect([partition.highWatermark, partition.lastStableOffset]).toEqual([3, 2]);
    expect(partition.abortedTransactions).toEqual([{ producerId, firstOffset: 0 }]);
    const uncommitted = await client.request(API.Fetch, 11, fetchRequest(0));
    expect(uncommitted.responses[0]!.partitions[0]!.abortedTransactions).toBeNull();
  });

  it('should answer a first JoinGroup v4+ with MEMBER_ID_REQUIRED and take the member with that id', async () => {
    const join = (version: number, memberId: string) =>
      client.request(API.JoinGroup, version, {
        groupId: `g${version}`,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 0]) }],
      });
    const first = await join(5, '');
    expect(first.errorCode).toBe(79);
    expect(first.memberId).not.toBe('');
    const joined = await join(5, first.memberId);
    expect([joined.errorCode, joined.memberId, joined.leader, joined.members.length]).toEqual([
      0,
      first.memberId,
      first.memberId,
      1,
    ]);
    const old = await join(2, '');
    expect([old.errorCode, old.generationId]).toEqual([0, 1]);
    const session = await client.request(API.JoinGroup, 5, {
      groupId: 'bad',
      sessionTimeoutMs: 100,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    expect(session.errorCode).toBe(26);
  });

  it("should list and describe transactions and a partition's producers", async () => {
    const init = await client.request(API.InitProducerId, 1, {
      transactionalId: 'tx-admin',
      transactionTimeoutMs: 30_000,
    });
    expect(init.errorCode).toBe(0);
    const added = await client.request(API.AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: 'tx-admin',
      v3AndBelowProducerId: init.producerId,
      v3AndBelowProducerEpoch: init.producerEpoch,
      v3AndBelowTopics: [{ name: 't', partitions: [0] }],
    });
    expect(added.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(0);
    const batch = encodeRecordBatch({
      baseOffset: 0,
      records: [{ key: null, value: Buffer.from('in txn'), timestamp: 1 }],
      producerId: init.producerId,
      producerEpoch: init.producerEpoch,
      baseSequence: 0,
      isTransactional: true,
    });
    const produced = await client.request(API.Produce, 7, {
      transactionalId: 'tx-admin',
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from(batch) }] }],
    });
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    const listed = await client.request(API.ListTransactions, 1, {
      stateFilters: ['Ongoing'],
      producerIdFilters: [],
      durationFilter: -1,
    });
    expect(listed.transactionStates).toEqual([
      { transactionalId: 'tx-admin', producerId: init.producerId, transactionState: 'Ongoing' },
    ]);
    const described = await client.request(API.DescribeTransactions, 0, { transactionalIds: ['tx-admin', 'nobody'] });
    expect(
      described.transactionStates.map((t) => [
        t.transactionalId,
        t.errorCode,
        t.transactionState,
        t.transactionTimeoutMs,
        t.topics,
      ]),
    ).toEqual([
      ['tx-admin', 0, 'Ongoing', 30_000, [{ topic: 't', partitions: [0] }]],
      ['nobody', 105, '', 0, []],
    ]);
    const producers = await client.request(API.DescribeProducers, 0, {
      topics: [{ name: 't', partitionIndexes: [0] }],
    });
    expect(producers.topics[0]!.partitions[0]!.activeProducers).toEqual([
      {
        producerId: init.producerId,
        producerEpoch: init.producerEpoch,
        lastSequence: 0,
        lastTimestamp: -1,
        coordinatorEpoch: 0,
        currentTxnStartOffset: 0,
      },
    ]);
    const ended = await client.request(API.EndTxn, 1, {
      transactionalId: 'tx-admin',
      producerId: init.producerId,
      producerEpoch: init.producerEpoch,
      committed: true,
    });
    expect(ended.errorCode).toBe(0);
    const after = await client.request(API.ListTransactions, 1, {
      stateFilters: [],
      producerIdFilters: [],
      durationFilter: -1,
    });
    expect(after.transactionStates[0]!.transactionState).toBe('CompleteCommit');
  });

  it('should tell a client that asks for SASL that this listener has no mechanism', async () => {
    const handshake = await client.request(API.SaslHandshake, 1, { mechanism: 'PLAIN' });
    expect(handshake).toEqual({ errorCode: 33, mechanisms: [] });
    const auth = await client.request(API.SaslAuthenticate, 1, { authBytes: Buffer.from('\u0000user\u0000secret') });
    expect(auth.errorCode).toBe(34);
  });
});
