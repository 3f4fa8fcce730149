/**
 * Orders enriched with their customer (a KTable-KTable foreign-key join): the `orders` table is
 * keyed by order id and names its customer; the `customers` table is keyed by customer id. Every
 * order gets its customer's current name and tier, and `enriched-orders` follows changes on both
 * sides: a renamed customer updates all of their orders, an order moved to another customer is
 * re-joined, and a deleted order or customer removes the row.
 */
import { Serdes, StreamsBuilder, type Topology } from 'tributary';

export interface Order {
  customerId: string;
  amount: number;
}

export interface Customer {
  name: string;
  tier: 'standard' | 'gold';
}

export interface EnrichedOrder {
  customer: string;
  tier: Customer['tier'];
  amount: number;
}

export function ordersWithCustomersTopology(): Topology {
  const builder = new StreamsBuilder();
  const orders = builder.table('orders', { keySerde: Serdes.String(), valueSerde: Serdes.Json<Order>() });
  const customers = builder.table('customers', { keySerde: Serdes.String(), valueSerde: Serdes.Json<Customer>() });
  orders
    .join(
      customers,
      (order) => order.customerId,
      (order, customer): EnrichedOrder => ({ customer: customer.name, tier: customer.tier, amount: order.amount }),
      { name: 'orders-customers' },
      { storeName: 'enriched-orders-store', valueSerde: Serdes.Json<EnrichedOrder>() },
    )
    .toStream()
    .to('enriched-orders', { keySerde: Serdes.String(), valueSerde: Serdes.Json<EnrichedOrder>() });
  return builder.build();
}
