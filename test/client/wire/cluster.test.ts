import { afterEach, describe, expect, it } from 'vitest';
import { WireAdminCalls } from '../../../src/client/wire/admin-calls.ts';
import { WireCluster, parseAddress } from '../../../src/client/wire/cluster.ts';
import { WireTransport } from '../../../src/client/wire/transport.ts';
import { TributaryError } from '../../../src/errors.ts';
import { Tributary } from '../../../src/index.ts';
import { clientContextOf } from '../../../src/client/tributary.ts';
import { API } from '../../../src/protocol/messages/index.ts';
import { FakeKafka } from './fake-kafka.ts';

const FAST_RETRY = { initialRetryTime: 1, maxRetryTime: 5, retries: 5 };
const record = (value: string) => ({ key: null, value: Buffer.from(value) });

let fake: FakeKafka;
const clusters: WireCluster[] = [];
afterEach(async () => {
  for (const c of clusters.splice(0)) await c.disconnect();
  await fake?.stop();
  expect(fake?.errors ?? []).toEqual([]);
});

async function connected(
  options: Partial<ConstructorParameters<typeof WireCluster>[0]> = {},
): Promise<{ cluster: WireCluster; transport: WireTransport }> {
  const cluster = new WireCluster({ brokers: fake.bootstrap, clientId: 'unit', retry: FAST_RETRY, ...options });
  clusters.push(cluster);
  await cluster.connect();
  return { cluster, transport: new WireTransport(cluster, () => 1_700_000_000_000) };
}

const names = (received: [string, number][], api: string) => received.filter(([n]) => n === api).map(([, v]) => v);

describe('version negotiation', () => {
  it('shouldSendEachApiAtTheHighestVersionBothSidesImplement', async () => {
    fake = await FakeKafka.start(1);
    const broker = fake.brokers[0]!;
    broker.versions.set(API.Metadata.apiKey, { minVersion: 0, maxVersion: 4 });
    broker.versions.set(API.Produce.apiKey, { minVersion: 3, maxVersion: 7 });
    fake.createTopic('t', 1);
    const { transport } = await connected();
    await transport.write([{ topic: 't', partition: 0, records: [record('a')] }]);
    expect(names(broker.received, 'Metadata').every((v) => v === 4)).toBe(true);
    expect(names(broker.received, 'Produce')).toEqual([7]);
  });

  it('shouldAskAgainAtTheBrokersApiVersionsVersionAfterUnsupportedVersion', async () => {
    fake = await FakeKafka.start(1);
    const broker = fake.brokers[0]!;
    broker.versions.set(API.ApiVersions.apiKey, { minVersion: 0, maxVersion: 2 });
    await connected();
    expect(names(broker.received, 'ApiVersions')).toEqual([API.ApiVersions.maxVersion, 2]);
  });

  it('shouldRefuseAnApiWhoseRangesDoNotMeetBeforeSendingIt', async () => {
    fake = await FakeKafka.start(1);
    const broker = fake.brokers[0]!;
    broker.versions.set(API.Produce.apiKey, {
      minVersion: API.Produce.maxVersion + 1,
      maxVersion: API.Produce.maxVersion + 2,
    });
    fake.createTopic('t', 1);
    const { transport } = await connected();
    const err = await transport.write([{ topic: 't', partition: 0, records: [record('a')] }]).catch((e: unknown) => e);
    expect((err as TributaryError).code).toBe('UNSUPPORTED_VERSION');
    expect(names(broker.received, 'Produce')).toEqual([]);
  });
});

describe('routing and retries', () => {
  it('shouldSendEachPartitionToItsLeaderAndResolveInTheOrderGiven', async () => {
    fake = await FakeKafka.start(2);
    fake.createTopic('t', 2, (p) => (p === 0 ? 2 : 1));
    const { transport } = await connected();
    const results = await transport.write([
      { topic: 't', partition: 0, records: [record('a'), record('b')] },
      { topic: 't', partition: 1, records: [record('c')] },
    ]);
    expect(results.map((r) => [r.partition, r.baseOffset, r.lastOffset])).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(names(fake.broker(2).received, 'Produce')).toHaveLength(1);
    expect(names(fake.broker(1).received, 'Produce')).toHaveLength(1);
    expect(fake.topics.get('t')!.logs.map((l) => l.length)).toEqual([1, 1]);
  });

  it('shouldFollowAMovedLeaderAfterNotLeaderOrFollower', async () => {
    fake = await FakeKafka.start(2);
    fake.createTopic('t', 1, () => 1);
    const { transport } = await connected();
    await transport.write([{ topic: 't', partition: 0, records: [record('before')] }]);
    fake.topics.get('t')!.leaders[0] = 2; // the client's metadata still says 1
    const [result] = await transport.write([{ topic: 't', partition: 0, records: [record('after')] }]);
    expect(result!.baseOffset).toBe(1);
    expect(names(fake.broker(1).received, 'Produce')).toHaveLength(2);
    expect(names(fake.broker(2).received, 'Produce')).toHaveLength(1);
    expect(fake.topics.get('t')!.logs[0]).toHaveLength(2);
  });

  it('shouldRetryOnlyThePartitionsThatFailed', async () => {
    fake = await FakeKafka.start(2);
    fake.createTopic('t', 2, () => 1);
    const { transport } = await connected();
    await transport.cluster.topic('t');
    fake.topics.get('t')!.leaders[1] = 2;
    const results = await transport.write([
      { topic: 't', partition: 0, records: [record('stays')] },
      { topic: 't', partition: 1, records: [record('moves')] },
    ]);
    expect(results.map((r) => r.baseOffset)).toEqual([0, 0]);
    // Partition 0 was written once, though its request also carried the partition that failed.
    expect(fake.topics.get('t')!.logs.map((l) => l.length)).toEqual([1, 1]);
  });

  it('shouldGiveUpAfterRetriesWithTheLastRetriableError', async () => {
    fake = await FakeKafka.start(1);
    fake.createTopic('t', 1);
    let produces = 0;
    fake.on(API.Produce.apiKey, (req: { topicData: { name: string; partitionData: { index: number }[] }[] }) => {
      produces++;
      return {
        responses: req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({
            index: p.index,
            errorCode: 5,
            baseOffset: -1,
            logAppendTimeMs: -1,
            logStartOffset: -1,
            recordErrors: [],
            errorMessage: null,
          })),
        })),
        throttleTimeMs: 0,
      };
    });
    const { transport } = await connected({ retry: { ...FAST_RETRY, retries: 3 } });
    const err = await transport.write([{ topic: 't', partition: 0, records: [record('x')] }]).catch((e: unknown) => e);
    expect((err as TributaryError).code).toBe('LEADER_NOT_AVAILABLE');
    expect(produces).toBe(4);
  });

  it('shouldFailAtOnceOnANonRetriableError', async () => {
    fake = await FakeKafka.start(1);
    fake.createTopic('t', 1);
    let produces = 0;
    fake.on(API.Produce.apiKey, (req: { topicData: { name: string; partitionData: { index: number }[] }[] }) => {
      produces++;
      return {
        responses: req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({
            index: p.index,
            errorCode: 10,
            baseOffset: -1,
            logAppendTimeMs: -1,
            logStartOffset: -1,
            recordErrors: [],
            errorMessage: 'too big',
          })),
        })),
        throttleTimeMs: 0,
      };
    });
    const { transport } = await connected();
    const err = await transport.write([{ topic: 't', partition: 0, records: [record('x')] }]).catch((e: unknown) => e);
    expect((err as TributaryError).code).toBe('MESSAGE_TOO_LARGE');
    expect((err as TributaryError).context).toMatchObject({ topic: 't', partition: 0, kafkaCode: 10 });
    expect(produces).toBe(1);
  });

  it('shouldReuseOneConnectionPerBrokerForManyRequests', async () => {
    fake = await FakeKafka.start(2);
    fake.createTopic('t', 2, (p) => p + 1);
    const { transport } = await connected();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        transport.write([{ topic: 't', partition: i % 2, records: [record(`r${i}`)] }]),
      ),
    );
    // The bootstrap connection is reused as its node's: one socket per broker.
    expect(fake.brokers.map((b) => b.sockets.length)).toEqual([1, 1]);
    expect(fake.topics.get('t')!.next).toEqual([10, 10]);
  });

  it('shouldFindTheTransactionCoordinatorAndFollowItWhenItMoves', async () => {
    fake = await FakeKafka.start(2);
    fake.coordinator = 2;
    let calls = 0;
    fake.on(API.InitProducerId.apiKey, (_req, { broker, cluster }) => {
      calls++;
      if (calls === 1) {
        expect(broker.nodeId).toBe(2);
        cluster.coordinator = 1;
        return { throttleTimeMs: 0, errorCode: 16, producerId: -1, producerEpoch: -1 };
      }
      expect(broker.nodeId).toBe(1);
      return undefined;
    });
    const { transport } = await connected();
    const identity = await transport.initProducerId({ transactionalId: 'tx' });
    expect(identity).toEqual({ producerId: 1000, producerEpoch: 0 });
    expect(
      names(fake.broker(2).received, 'FindCoordinator').length +
        names(fake.broker(1).received, 'FindCoordinator').length,
    ).toBe(2);
  });
});

describe('bootstrap', () => {
  it('shouldSkipAnUnreachableBootstrapBroker', async () => {
    fake = await FakeKafka.start(1);
    const { cluster } = await connected({ brokers: ['127.0.0.1:1', ...fake.bootstrap] });
    expect(cluster.brokers().map((b) => b.nodeId)).toEqual([1]);
  });

  it('shouldTakeBrokersFromAnAsyncFunction', async () => {
    fake = await FakeKafka.start(1);
    const { cluster } = await connected({ brokers: async () => fake.bootstrap });
    expect(cluster.clusterId).toBe('fake');
  });

  it('shouldFailWithARetriableConnectionErrorWhenNoBrokerAnswers', async () => {
    fake = await FakeKafka.start(1);
    const cluster = new WireCluster({
      brokers: ['127.0.0.1:1'],
      clientId: 'unit',
      retry: { ...FAST_RETRY, retries: 1 },
    });
    const err = await cluster.connect().catch((e: unknown) => e);
    expect((err as TributaryError).code).toBe('CONNECTION_ERROR');
  });

  it.each(['localhost', 'host:port', ':9092', 'h:70000'])('shouldRefuseTheAddress %s', (address) => {
    expect(() => parseAddress(address)).toThrow(expect.objectContaining({ code: 'INVALID_CLIENT_CONFIG' }));
  });

  it('shouldParseIPv6Addresses', () => {
    expect(parseAddress('[::1]:9092')).toEqual({ host: '::1', port: 9092 });
  });
});

describe('new Tributary({ brokers })', () => {
  it('shouldRefuseBrokersTogetherWithDataDirOrStorage', () => {
    expect(() => new Tributary({ brokers: ['127.0.0.1:9092'], dataDir: './x' })).toThrow(TributaryError);
    expect(() => new Tributary({ brokers: ['127.0.0.1:9092'], storage: 'memory' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CLIENT_CONFIG' }),
    );
    expect(() => new Tributary({ brokers: [] })).toThrow(expect.objectContaining({ code: 'INVALID_CLIENT_CONFIG' }));
  });

  it('shouldRunTheAdminAndProducerOverTheWireWithKafkajsNetworkEvents', async () => {
    fake = await FakeKafka.start(2);
    const tributary = new Tributary({ brokers: fake.bootstrap, clientId: 'wired', retry: FAST_RETRY });
    const admin = tributary.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] })).toBe(false);
    expect(await admin.listTopics()).toEqual(['orders']);

    const producer = tributary.producer({ idempotent: true });
    const requests: { apiName: string; clientId: string }[] = [];
    producer.on(producer.events.REQUEST, (e) => requests.push(e.payload as { apiName: string; clientId: string }));
    await producer.connect();
    const sent = await producer.send({
      topic: 'orders',
      messages: [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
        { value: '3', partition: 1 },
      ],
    });
    expect(sent.every((m) => m.errorCode === 0)).toBe(true);
    expect(requests.map((r) => r.apiName)).toEqual(
      expect.arrayContaining(['ApiVersions', 'Metadata', 'InitProducerId', 'Produce']),
    );
    expect(requests.every((r) => r.clientId === 'wired')).toBe(true);
    const offsets = await admin.fetchTopicOffsets('orders');
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(3);
    // The batches carry the producer id the broker handed out, with sequences from 0.
    const stored = fake.topics.get('orders')!.logs.flat();
    expect(stored.every((b) => b.readBigInt64BE(43) === 1000n)).toBe(true);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('shouldNeverOpenALogForWhatIsNotOverTheWireYet', async () => {
    fake = await FakeKafka.start(1);
    const tributary = new Tributary({ brokers: fake.bootstrap });
    await expect(clientContextOf(tributary).acquire()).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION' });
  });
});

describe('disconnect', () => {
  it('shouldOpenNoSocketForARequestStillInFlightWhenTheClusterHasDisconnected', async () => {
    fake = await FakeKafka.start(1);
    fake.createTopic('t', 1);
    const { cluster } = await connected();
    const held = await cluster.broker(fake.brokers[0]!.nodeId);
    const before = fake.brokers[0]!.sockets.length;
    await cluster.disconnect();
    // What a fetch loop's next turn does with the broker it holds.
    await expect(
      held.request(API.Metadata, { topics: [], allowAutoTopicCreation: false } as never),
    ).rejects.toMatchObject({
      code: 'CONNECTION_ERROR',
      retriable: false,
    });
    await expect(cluster.anyBroker()).rejects.toMatchObject({ code: 'CONNECTION_ERROR' });
    expect(fake.brokers[0]!.sockets.length).toBe(before);
  });
  it('shouldCloseTheConnectionsOfEveryClientWhenTheTributaryIsClosed', async () => {
    fake = await FakeKafka.start(1);
    fake.createTopic('t', 1);
    const tributary = new Tributary({ brokers: fake.bootstrap, retry: FAST_RETRY, logLevel: 0 });
    // Clients left connected, as a short program (a trib command) leaves its admin.
    const admin = tributary.admin();
    await admin.connect();
    const producer = tributary.producer();
    await producer.connect();
    await producer.send({ topic: 't', messages: [{ value: 'v' }] });
    const open = () => fake.brokers[0]!.sockets.filter((socket) => !socket.destroyed && !socket.readableEnded);
    expect(open().length).toBeGreaterThan(0);
    await tributary.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(open()).toEqual([]);
  });
});

describe('offsets a transaction has not committed yet (UNSTABLE_OFFSET_COMMIT)', () => {
  /** OffsetFetch: partition 0 of `t` committed at 7; the first `unstable` answers to requireStable say 88. */
  function offsetFetch(unstable: number): { asked: boolean[] } {
    const asked: boolean[] = [];
    fake.on(API.OffsetFetch.apiKey, (req: { requireStable: boolean; topics: { name: string }[] }) => {
      asked.push(req.requireStable);
      const pending = req.requireStable && unstable-- > 0;
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        groups: [],
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: pending ? -1 : 7,
              committedLeaderEpoch: -1,
              metadata: '',
              errorCode: pending ? 88 : 0,
            },
          ],
        })),
      };
    });
    return { asked };
  }

  it('shouldGiveTheLastCommittedOffsetsWithoutWaitingAsKafkasAdminDoesByDefault', async () => {
    fake = await FakeKafka.start(1);
    fake.createTopic('t', 1);
    const { asked } = offsetFetch(1);
    const { transport } = await connected();
    const admin = new WireAdminCalls(transport);
    const [t] = await admin.fetchOffsets({ groupId: 'g', topics: ['t'] });
    expect(t!.partitions).toEqual([{ partition: 0, offset: '7', metadata: '' }]);
    expect(asked).toEqual([false]);
  });

  it('shouldAskAgainUntilTheOffsetsAreStableWhenRequireStableIsSet', async () => {
    fake = await FakeKafka.start(1);
    fake.createTopic('t', 1);
    const { asked } = offsetFetch(2);
    const { transport } = await connected();
    const admin = new WireAdminCalls(transport);
    const [t] = await admin.fetchOffsets({ groupId: 'g', topics: ['t'], requireStable: true });
    expect(t!.partitions).toEqual([{ partition: 0, offset: '7', metadata: '' }]);
    expect(asked).toEqual([true, true, true]);
  });

  it('shouldThrowUnstableOffsetCommitOnceItsTimeIsUp', async () => {
    fake = await FakeKafka.start(1);
    fake.createTopic('t', 1);
    offsetFetch(Number.POSITIVE_INFINITY);
    const { transport } = await connected();
    const admin = new WireAdminCalls(transport);
    const err = await admin
      .fetchOffsets({ groupId: 'g', topics: ['t'], requireStable: true, stableTimeoutMs: 120 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TributaryError);
    expect((err as TributaryError).context).toMatchObject({ kafkaCode: 88, kafkaName: 'UNSTABLE_OFFSET_COMMIT' });
    expect((err as TributaryError).retriable).toBe(true);
  });
});
