import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { TributaryError } from '../../src/errors.ts';
import type { KvOp } from '../../src/log/index.ts';
import {
  type OpenTxn,
  TransactionCoordinator,
  type TransactionalProducer,
  type TransactionLog,
} from '../../src/log/transaction-coordinator.ts';

/** What the coordinator asked of its port, in order, with each atomic write as one entry. */
interface Recorded {
  writes: { sync: boolean; ops: KvOp[] }[];
  markers: { producerId: number; epoch: number; partitions: [number, number][]; commit: boolean }[];
  stored: { nextProducerId?: number; ids: Map<string, TransactionalProducer>; open: Map<number, OpenTxn | undefined> };
  applied: number;
}

/** The coordinator on a port that records instead of writing: no engine, no store. */
function coordinatorOnPort(clock = new ManualClock(1_000)) {
  const recorded: Recorded = { writes: [], markers: [], stored: { ids: new Map(), open: new Map() }, applied: 0 };
  const op = (name: string): KvOp => ({ type: 'put', key: new TextEncoder().encode(name), value: new Uint8Array(0) });
  const port: TransactionLog = {
    clock,
    putNextProducerId(next, ops) {
      recorded.stored.nextProducerId = next;
      ops.push(op(`next:${next}`));
    },
    putTransactionalId(id, producer, ops) {
      recorded.stored.ids.set(id, { ...producer });
      ops.push(op(`id:${id}`));
    },
    putOpenTxn(producerId, txn, ops) {
      recorded.stored.open.set(producerId, txn === undefined ? undefined : structuredClone(txn));
      ops.push(op(`txn:${producerId}`));
    },
    writeMarkers(producerId, epoch, partitions, commit, ops) {
      recorded.markers.push({ producerId, epoch, partitions: partitions.map(([t, p]) => [t, p]), commit });
      ops.push(op(`marker:${producerId}`));
      return [() => recorded.applied++];
    },
    async enqueue(ops, sync) {
      recorded.writes.push({ sync, ops: [...ops] });
    },
  };
  return { coordinator: new TransactionCoordinator(port), recorded, clock };
}

const keys = (ops: KvOp[]) => ops.map((o) => new TextDecoder().decode(o.key));

describe('TransactionCoordinator on its port', () => {
  it('should hand out producer ids in order, each stored with a synced write', async () => {
    const { coordinator, recorded } = coordinatorOnPort();
    expect(await coordinator.initProducerId()).toEqual({ producerId: 1, producerEpoch: 0 });
    expect(await coordinator.initProducerId()).toEqual({ producerId: 2, producerEpoch: 0 });
    expect(recorded.writes.map((w) => [w.sync, keys(w.ops)])).toEqual([
      [true, ['next:2']],
      [true, ['next:3']],
    ]);
  });

  it('should go on from the stored next producer id and transactional ids after a restore', async () => {
    const { coordinator } = coordinatorOnPort();
    coordinator.restoreNextProducerId(40);
    coordinator.restoreTransactionalId('app', { producerId: 7, epoch: 3, timeoutMs: 60_000 });
    expect(await coordinator.initProducerId()).toEqual({ producerId: 40, producerEpoch: 0 });
    expect(await coordinator.initProducerId({ transactionalId: 'app' })).toEqual({ producerId: 7, producerEpoch: 4 });
  });

  it('should bump the epoch, abort the open transaction in the same write, and fence the old epoch', async () => {
    const { coordinator, recorded, clock } = coordinatorOnPort();
    const first = await coordinator.initProducerId({ transactionalId: 'app' });
    const ops: KvOp[] = [];
    coordinator.checkProducer(
      { ...first, baseSequence: 0, isTransactional: true },
      { topic: 't', partition: 0, producerId: 1 },
    );
    coordinator.joinTransaction(first.producerId, 5, 0, clock.now(), ops);
    coordinator.joinTransaction(first.producerId, 5, 0, clock.now(), ops);
    expect(keys(ops)).toEqual(['txn:1']);

    const second = await coordinator.initProducerId({ transactionalId: 'app' });
    expect(second).toEqual({ producerId: first.producerId, producerEpoch: 1 });
    expect(recorded.markers).toEqual([{ producerId: 1, epoch: 0, partitions: [[5, 0]], commit: false }]);
    expect(keys(recorded.writes.at(-1)!.ops)).toEqual(['txn:1', 'marker:1', 'id:app']);
    expect(recorded.applied).toBe(1);

    const stale = () =>
      coordinator.checkProducer(
        { producerId: 1, producerEpoch: 0, baseSequence: 0, isTransactional: true },
        { topic: 't', partition: 0, producerId: 1 },
      );
    expect(stale).toThrow(expect.objectContaining({ code: 'PRODUCER_FENCED' }));
    await expect(coordinator.endTransaction({ ...first, commit: true })).rejects.toMatchObject({
      code: 'PRODUCER_FENCED',
    });
  });

  it('should answer a KIP-360 retry of a bump with the same identity and fence anyone else', async () => {
    const { coordinator, recorded } = coordinatorOnPort();
    const first = await coordinator.initProducerId({ transactionalId: 'app' });
    const bumped = await coordinator.initProducerId({ transactionalId: 'app', expected: first });
    expect(bumped.producerEpoch).toBe(1);
    const writes = recorded.writes.length;
    expect(await coordinator.initProducerId({ transactionalId: 'app', expected: first })).toEqual(bumped);
    expect(recorded.writes.length).toBe(writes);
    await expect(
      coordinator.initProducerId({ transactionalId: 'app', expected: { producerId: 99, producerEpoch: 0 } }),
    ).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });
  });

  it('should end a transaction with markers only when one is open', async () => {
    const { coordinator, recorded, clock } = coordinatorOnPort();
    const id = await coordinator.initProducerId({ transactionalId: 'app' });
    const writes = recorded.writes.length;
    await coordinator.endTransaction({ ...id, commit: true });
    expect(recorded.writes.length).toBe(writes);

    coordinator.joinTransaction(id.producerId, 2, 1, clock.now(), []);
    await coordinator.endTransaction({ ...id, commit: true }, { sync: false });
    expect(recorded.markers).toEqual([{ producerId: 1, epoch: 0, partitions: [[2, 1]], commit: true }]);
    expect(recorded.writes.at(-1)!.sync).toBe(false);
    expect(recorded.stored.open.get(id.producerId)).toBeUndefined();
  });

  it('should abort a transaction open past its timeout and fence its producer', async () => {
    const { coordinator, recorded, clock } = coordinatorOnPort();
    const id = await coordinator.initProducerId({ transactionalId: 'app', transactionTimeoutMs: 5_000 });
    coordinator.joinTransaction(id.producerId, 1, 0, clock.now(), []);
    clock.advance(5_000);
    expect(await coordinator.abortTimedOutTransactions()).toBe(0);
    clock.advance(1);
    expect(await coordinator.abortTimedOutTransactions()).toBe(1);
    expect(recorded.markers.at(-1)).toMatchObject({ producerId: id.producerId, commit: false });
    expect(recorded.stored.ids.get('app')).toMatchObject({ epoch: 1, lastEpoch: 0 });
    expect(() =>
      coordinator.checkProducer(
        { ...id, baseSequence: 0, isTransactional: true },
        { topic: 't', partition: 0, producerId: id.producerId },
      ),
    ).toThrow(TributaryError);
  });

  it('should refuse a transactional batch from a producer without a transactional id', async () => {
    const { coordinator } = coordinatorOnPort();
    const id = await coordinator.initProducerId();
    const context = { topic: 't', partition: 0, producerId: id.producerId };
    expect(() => coordinator.checkProducer({ ...id, baseSequence: 0, isTransactional: true }, context)).toThrow(
      expect.objectContaining({ code: 'INVALID_TXN_STATE' }),
    );
    expect(() => coordinator.checkProducer({ ...id, baseSequence: 0 }, context)).not.toThrow();
  });
});
