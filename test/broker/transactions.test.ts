/** The broker's view of transactional producers: which offsets an open transaction holds. */
import { describe, expect, it } from 'vitest';
import { TxnRegistry } from '../../src/broker/transactions.ts';

describe('TxnRegistry.holdsOffsets', () => {
  function registryWithOffsets(): { registry: TxnRegistry; end: (committed: boolean) => void } {
    const registry = new TxnRegistry();
    registry.initialised('app-1', 7, 0, 10_000);
    const producer = registry.ofTransactionalId('app-1')!;
    registry.began(producer, 1_000);
    producer.groups.add('g');
    producer.offsets.push({ group: 'g', commits: [{ topic: 't', partition: 2, offset: 40, metadata: null }] });
    return { registry, end: (committed) => registry.ended(producer, committed) };
  }

  it('shouldHoldTheSentOffsetsOfAnOpenTransactionOnly', () => {
    const { registry } = registryWithOffsets();
    expect(registry.holdsOffsets('g', 't', 2, 1_500)).toBe(true);
    expect(registry.holdsOffsets('g', 't', 1, 1_500)).toBe(false);
    expect(registry.holdsOffsets('other', 't', 2, 1_500)).toBe(false);
  });

  it.each([true, false])('shouldLetGoOnceTheTransactionEnds (committed: %s)', (committed) => {
    const { registry, end } = registryWithOffsets();
    end(committed);
    expect(registry.holdsOffsets('g', 't', 2, 1_500)).toBe(false);
  });

  it('shouldLetGoOnceTheTransactionIsPastItsTimeoutAsTheLogAbortsIt', () => {
    const { registry } = registryWithOffsets();
    expect(registry.holdsOffsets('g', 't', 2, 11_000)).toBe(true);
    expect(registry.holdsOffsets('g', 't', 2, 11_001)).toBe(false);
  });

  it('shouldLetGoWhenTheTransactionalIdIsInitialisedAgain', () => {
    const { registry } = registryWithOffsets();
    registry.initialised('app-1', 7, 1, 10_000);
    expect(registry.holdsOffsets('g', 't', 2, 1_500)).toBe(false);
  });
});
