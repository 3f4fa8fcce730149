import * as kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import * as tributary from '../../src/index.ts';

/** A TS numeric enum's name → value entries (without its reverse mapping). */
const entries = (e: object) => Object.fromEntries(Object.entries(e).filter(([k]) => Number.isNaN(Number(k))));

describe("kafkajs's exports", () => {
  it('should export the ACL and resource enums with the values kafkajs gives them', () => {
    expect(entries(tributary.AclResourceTypes)).toEqual(kafkajs.AclResourceTypes);
    expect(entries(tributary.AclOperationTypes)).toEqual(kafkajs.AclOperationTypes);
    expect(entries(tributary.AclPermissionTypes)).toEqual(kafkajs.AclPermissionTypes);
    expect(entries(tributary.ResourcePatternTypes)).toEqual(kafkajs.ResourcePatternTypes);
  });

  it('should export every KafkaJS* error class kafkajs exports, each a TributaryError', () => {
    const names = Object.keys(kafkajs).filter((k) => k.startsWith('KafkaJS') && k !== 'KafkaJSFetcherRebalanceError');
    const missing = names.filter((n) => !(n in tributary));
    expect(missing).toEqual([]);
    for (const n of names) {
      const Cls = (tributary as unknown as Record<string, new (...args: unknown[]) => Error>)[n]!;
      const made =
        n === 'KafkaJSDeleteTopicRecordsError' ? new Cls({ topic: 't', partitions: [] }) : new Cls('message', {});
      expect(made).toBeInstanceOf(tributary.TributaryError);
      expect(made.name).toBe(n);
    }
  });

  it("should place keys with Partitioners.LegacyPartitioner exactly where kafkajs's LegacyPartitioner does", () => {
    const theirs = kafkajs.Partitioners.LegacyPartitioner();
    const ours = tributary.Partitioners.LegacyPartitioner();
    const partitionMetadata = Array.from({ length: 7 }, (_, i) => ({
      partitionId: i,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    for (let i = 0; i < 500; i++) {
      const key = `key-${i}-${'é'.repeat(i % 5)}${'x'.repeat(i % 13)}`;
      const message = { key, value: null };
      expect(ours({ topic: 't', partitionMetadata, message })).toBe(theirs({ topic: 't', partitionMetadata, message }));
    }
  });
});
