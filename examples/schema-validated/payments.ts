/**
 * A schema-validated pipeline: `payments` holds Avro `Payment` records written with a registry
 * serde; the app picks the large ones and writes an Avro `PaymentAlert` for each to
 * `payment-alerts`, keyed by account. Both topics' schemas live in the schema registry, under
 * `payments-value` and `payment-alerts-value`.
 */
import { Serdes, StreamsBuilder, type Topology } from 'tributary';
import { avroSerde, type RegistrySerde, type SchemaRegistry } from '../../schema-registry/index.ts';

/** A value of `payments`. Avro `long`s within 2^53 read back as numbers. */
export interface Payment {
  id: string;
  account: string;
  amountCents: number;
  currency: string;
}

export type AlertLevel = 'REVIEW' | 'BLOCK';

/** A value of `payment-alerts`. */
export interface PaymentAlert {
  paymentId: string;
  account: string;
  amountCents: number;
  currency: string;
  level: AlertLevel;
}

export const paymentSchema = JSON.stringify({
  type: 'record',
  name: 'Payment',
  namespace: 'example.payments',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'account', type: 'string' },
    { name: 'amountCents', type: 'long' },
    { name: 'currency', type: 'string' },
  ],
});

export const paymentAlertSchema = JSON.stringify({
  type: 'record',
  name: 'PaymentAlert',
  namespace: 'example.payments',
  fields: [
    { name: 'paymentId', type: 'string' },
    { name: 'account', type: 'string' },
    { name: 'amountCents', type: 'long' },
    { name: 'currency', type: 'string' },
    { name: 'level', type: { type: 'enum', name: 'AlertLevel', symbols: ['REVIEW', 'BLOCK'] } },
  ],
});

/** From 1,000.00 a payment is reviewed; from 10,000.00 it is blocked. */
export const REVIEW_FROM_CENTS = 100_000;
export const BLOCK_FROM_CENTS = 1_000_000;

/** The value serdes of both topics, with their schemas registered (or found) in `registry`. */
export interface PaymentSerdes {
  payments: RegistrySerde<Payment>;
  alerts: RegistrySerde<PaymentAlert>;
}

export async function paymentSerdes(registry: SchemaRegistry): Promise<PaymentSerdes> {
  return {
    payments: await avroSerde<Payment>({ registry, schema: paymentSchema, topics: ['payments'] }),
    alerts: await avroSerde<PaymentAlert>({ registry, schema: paymentAlertSchema, topics: ['payment-alerts'] }),
  };
}

export function toAlert(payment: Payment): PaymentAlert {
  return {
    paymentId: payment.id,
    account: payment.account,
    amountCents: payment.amountCents,
    currency: payment.currency,
    level: payment.amountCents >= BLOCK_FROM_CENTS ? 'BLOCK' : 'REVIEW',
  };
}

/** `payments` (keyed by payment id) → large ones → alerts keyed by account → `payment-alerts`. */
export function paymentAlertsTopology(serdes: PaymentSerdes): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream('payments', { keySerde: Serdes.String(), valueSerde: serdes.payments })
    .filter((_id, payment) => payment.amountCents >= REVIEW_FROM_CENTS)
    .map((_id, payment) => ({ key: payment.account, value: toAlert(payment) }))
    .to('payment-alerts', { keySerde: Serdes.String(), valueSerde: serdes.alerts });
  return builder.build();
}

/** Money for people: 250000, 'EUR' → '2,500.00 EUR'. */
export function formatAmount(cents: number, currency: string): string {
  return `${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
}
