/**
 * Produce with acks=0 has no response; when any partition of it is refused, the broker closes the
 * connection after the responses before it, so the producer learns that something went wrong (as
 * Kafka's KafkaApis does: "the server will close socket server so that the producer client will
 * know that some error has happened and will refresh its metadata").
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { encodeRecordBatch } from '../../src/protocol/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { RawClient } from './raw-client.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let client: RawClient;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 1 });
  broker = await serve({ log, port: 0, logLevel: 0 });
  client = await RawClient.connect(broker.address().port);
});

afterEach(async () => {
  client.close();
  await broker.close();
  await log.close();
});

function produce(topic: string, partition: number, acks: number): Buffer {
  const batch = encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('v'), timestamp: 1 }] });
  return client.frame(API.Produce, 9, {
    transactionalId: null,
    acks,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: Buffer.from(batch) }] }],
  });
}

const apiVersions = () => client.request(API.ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });

describe('Produce with acks=0', () => {
  it('shouldKeepTheConnectionOpenWhenEveryPartitionIsWritten', async () => {
    client.write(produce('t', 0, 0));
    const res = await apiVersions();
    expect(res.errorCode).toBe(0);
    expect(log.offsets('t', 0).highWatermark).toBe(1);
  });

  it.each([
    ['an unknown topic', 'nope', 0],
    ['an unknown partition', 't', 5],
  ])('shouldCloseTheConnectionWhenItNames %s', async (_, topic, partition) => {
    client.write(produce(topic, partition, 0));
    await client.closed;
    expect(log.offsets('t', 0).highWatermark).toBe(0);
  });

  it('shouldAnswerTheRequestsBeforeTheRefusedOneFirst', async () => {
    const answered = client.expect((frame) => frame.readInt32BE(0));
    client.write(Buffer.concat([produce('t', 0, 1), produce('nope', 0, 0)]));
    expect(await answered).toBeGreaterThan(0);
    await client.closed;
    expect(log.offsets('t', 0).highWatermark).toBe(1);
  });

  it('shouldAnswerARefusedPartitionWithAcksOneAndKeepTheConnection', async () => {
    const res = await client.request(API.Produce, 9, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        {
          name: 'nope',
          partitionData: [
            {
              index: 0,
              records: Buffer.from(
                encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: null, timestamp: 1 }] }),
              ),
            },
          ],
        },
      ],
    });
    expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(3);
    expect((await apiVersions()).errorCode).toBe(0);
  });
});
