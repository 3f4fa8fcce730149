import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { openLog } from '../../src/log/index.ts';
import { defaultPartition } from '../../src/protocol/index.ts';
import { KafkaStreams, StreamsBuilder } from '../../src/streams/index.ts';
import { S, until } from './helpers.ts';

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);

/** Orders (keyed by customer) joined with the customers table, enriched into `out`. */
function enrichment(rekey: boolean): StreamsBuilder {
  const builder = new StreamsBuilder();
  const customers = builder.table('customers', { keySerde: S, valueSerde: S });
  let orders = builder.stream('orders', { keySerde: S, valueSerde: S });
  // With `rekey`, orders arrive keyed by order id and are rekeyed by the customer in the value.
  if (rekey) orders = orders.selectKey((_k, v) => v.split(':')[0]!);
  orders
    .join(customers, (order, customer) => `${order} for ${customer}`, { keySerde: S, valueSerde: S })
    .to('out', { keySerde: S, valueSerde: S });
  return builder;
}

describe('co-partitioning of joins', () => {
  it('should refuse to start a join of topics with different partition counts, naming them', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'customers', numPartitions: 2 });
    await log.createTopic({ topic: 'orders', numPartitions: 3 });
    await log.createTopic({ topic: 'out', numPartitions: 1 });
    const streams = new KafkaStreams(enrichment(false).build(), { applicationId: 'copart', log });
    let error: unknown;
    try {
      await streams.start();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).code).toBe('TOPOLOGY_EXCEPTION');
    expect((error as TributaryError).message).toContain('customers (2), orders (3)');
    await streams.close();
    await log.close();
  });

  it('should give a repartitioned join side the partition count of the other side', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'customers', numPartitions: 2 });
    await log.createTopic({ topic: 'orders', numPartitions: 4 });
    await log.createTopic({ topic: 'out', numPartitions: 1 });
    for (const [id, name] of [
      ['c1', 'Ada'],
      ['c2', 'Grace'],
      ['c3', 'Edsger'],
    ] as const) {
      // Partitioned as Kafka's clients partition keys: murmur2 of the key.
      await log.append('customers', defaultPartition(bytes(id), 2), [{ key: bytes(id), value: bytes(name) }]);
    }
    const streams = new KafkaStreams(enrichment(true).build(), { applicationId: 'copart', log });
    await streams.start();
    const repartition = (await log.listTopics()).find((t) => t.startsWith('copart-') && t.endsWith('-repartition'))!;
    expect(log.partitionCount(repartition)).toBe(2);
    for (let i = 0; i < 12; i++) {
      const customer = `c${(i % 3) + 1}`;
      await log.append('orders', i % 4, [{ key: bytes(`o${i}`), value: bytes(`${customer}:item${i}`) }]);
    }
    await streams.waitForIdle();
    const outputs: string[] = [];
    await until(async () => {
      outputs.length = 0;
      for (const r of (await log.read('out', 0, 0, { maxBytes: 1 << 20 })).records)
        outputs.push(new TextDecoder().decode(r.value!));
      return outputs.length === 12;
    });
    // Every order met its customer: none was routed to a partition where its customer is not.
    expect(outputs.filter((o) => o.includes('c1:') && o.endsWith('for Ada'))).toHaveLength(4);
    expect(outputs.every((o) => / for (Ada|Grace|Edsger)$/.test(o))).toBe(true);
    await streams.close();
    await log.close();
  });
});
