import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { KafkaCode } from '../../src/broker/errors.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { RawClient } from './raw-client.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let client: RawClient;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  broker = await serve({ log, port: 0, logLevel: 0 });
  client = await RawClient.connect(broker.address().port);
});

afterEach(async () => {
  client.close();
  await broker.close();
  await log.close();
});

function init(
  version: number,
  transactionalId: string | null,
  producerId = -1,
  producerEpoch = -1,
  transactionTimeoutMs = 60_000,
) {
  return client.request(API.InitProducerId, version, {
    transactionalId,
    transactionTimeoutMs,
    producerId,
    producerEpoch,
  });
}

/** KIP-360 re-initialisation, as Kafka's TransactionCoordinator answers it. */
describe('InitProducerId re-initialisation (KIP-360)', () => {
  it('should give a transactional producer naming its id and epoch the same id with the next epoch', async () => {
    const first = await init(4, 'tx');
    expect(first).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    const again = await init(4, 'tx', Number(first.producerId), first.producerEpoch);
    expect(again).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 });
    const third = await init(3, 'tx', Number(again.producerId), again.producerEpoch);
    expect(third).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 2 });
  });

  it('should answer a retry naming the previous epoch with the current identity, without another bump', async () => {
    const first = await init(4, 'tx');
    const bumped = await init(4, 'tx', Number(first.producerId), 0);
    expect(bumped.producerEpoch).toBe(1);
    // The producer never saw that answer and asks again with epoch 0.
    const retried = await init(4, 'tx', Number(first.producerId), 0);
    expect(retried).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 });
    expect((await init(4, 'tx', Number(first.producerId), 1)).producerEpoch).toBe(2);
  });

  it('should fence a stale epoch or another producer id: PRODUCER_FENCED from v4, INVALID_PRODUCER_EPOCH before', async () => {
    const first = await init(4, 'tx');
    const id = Number(first.producerId);
    await init(4, 'tx', id, 0); // epoch 1, last 0
    await init(4, 'tx', id, 1); // epoch 2, last 1
    expect((await init(4, 'tx', id, 0)).errorCode).toBe(KafkaCode.PRODUCER_FENCED);
    expect((await init(3, 'tx', id, 0)).errorCode).toBe(KafkaCode.INVALID_PRODUCER_EPOCH);
    expect((await init(4, 'tx', id + 100, 2)).errorCode).toBe(KafkaCode.PRODUCER_FENCED);
    expect((await init(4, 'tx', id, 5)).errorCode).toBe(KafkaCode.PRODUCER_FENCED);
    // Nothing was bumped by the refused requests.
    expect(await init(4, 'tx', id, 2)).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 3 });
  });

  it('should give a transactional id it does not know a fresh identity even when one is named', async () => {
    const answer = await init(4, 'new-tx', 1234, 7);
    expect(answer).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    expect(Number(answer.producerId)).not.toBe(1234);
  });

  it('should give an idempotent producer (no transactional id) a new producer id every time, as Kafka', async () => {
    const first = await init(4, null);
    const second = await init(4, null, Number(first.producerId), first.producerEpoch);
    expect(second).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    expect(second.producerId).not.toBe(first.producerId);
  });

  it('should refuse a timeout outside (0, transaction.max.timeout.ms] and an empty transactional id', async () => {
    expect((await init(4, 'tx', -1, -1, 900_001)).errorCode).toBe(KafkaCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await init(4, 'tx', -1, -1, 0)).errorCode).toBe(KafkaCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await init(4, 'tx', -1, -1, 900_000)).errorCode).toBe(0);
    expect((await init(4, '', -1, -1, 60_000)).errorCode).toBe(KafkaCode.INVALID_REQUEST);
  });
});

describe('initProducerId in the log: epoch exhaustion', () => {
  it('should move an exhausted transactional id to a new producer id, and answer the rotation retry again', async () => {
    let identity = await log.initProducerId({ transactionalId: 'old' });
    const original = identity.producerId;
    while (identity.producerEpoch < 32_766)
      identity = await log.initProducerId({ transactionalId: 'old', expected: identity });
    expect(identity).toEqual({ producerId: original, producerEpoch: 32_766 });
    const rotated = await log.initProducerId({ transactionalId: 'old', expected: identity });
    expect(rotated.producerEpoch).toBe(0);
    expect(rotated.producerId).not.toBe(original);
    // The same request again (its answer was lost) gets the rotated identity, not a second rotation.
    expect(await log.initProducerId({ transactionalId: 'old', expected: identity })).toEqual(rotated);
    await expect(
      log.initProducerId({ transactionalId: 'old', expected: { producerId: original, producerEpoch: 3 } }),
    ).rejects.toMatchObject({
      code: 'PRODUCER_FENCED',
    });
  }, 60_000);
});
