/**
 * Orders joined to customers by foreign key on the embedded log, over two partitions: orders
 * and customers arrive in any order, a customer is renamed, an order changes hands, and a
 * customer is deleted.
 *
 *   npx tsx examples/orders-customers/main.ts
 */
import { Serdes } from 'tributary';
import { runOnLog } from '../shared/run-on-log.ts';
import { type Customer, type EnrichedOrder, type Order, ordersWithCustomersTopology } from './enrich.ts';

const order = (id: string, customerId: string, amount: number, timestamp: number) => ({
  topic: 'orders',
  key: id,
  value: { customerId, amount } satisfies Order,
  timestamp,
});
const customer = (id: string, value: Customer | null, timestamp: number) => ({
  topic: 'customers',
  key: id,
  value,
  timestamp,
});

const results = await runOnLog(
  'orders-customers',
  ordersWithCustomersTopology(),
  2,
  [
    { topic: 'orders', keySerde: Serdes.String(), valueSerde: Serdes.Json<Order>() },
    { topic: 'customers', keySerde: Serdes.String(), valueSerde: Serdes.Json<Customer>() },
  ],
  [
    customer('c1', { name: 'Ada', tier: 'gold' }, 1),
    order('o1', 'c1', 30, 2),
    // An order before its customer exists: joined when the customer arrives.
    order('o2', 'c2', 12, 3),
    customer('c2', { name: 'Brian', tier: 'standard' }, 4),
    order('o3', 'c1', 7, 5),
    // Renaming a customer updates every one of their orders.
    customer('c1', { name: 'Ada L.', tier: 'gold' }, 6),
    // o2 moves to c1.
    order('o2', 'c1', 12, 7),
    // Deleting c2 affects no order any more; deleting c1 removes all three.
    customer('c2', null, 8),
    customer('c1', null, 9),
  ],
  [{ topic: 'enriched-orders', keySerde: Serdes.String(), valueSerde: Serdes.Json<EnrichedOrder>() }],
);
const rows = (results.get('enriched-orders') ?? []).sort((a, b) => a.timestamp - b.timestamp);
for (const r of rows) {
  const e = r.value as EnrichedOrder | null;
  console.log(`@${r.timestamp} ${r.key} ${e === null ? 'deleted' : `${e.customer} (${e.tier}) ${e.amount}`}`);
}
