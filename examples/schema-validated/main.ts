/**
 * Avro in, Avro out, and a bad record that does not stop the app: payments written with a registry
 * serde, one record among them that is JSON text instead, a Streams app that turns large payments
 * into alerts and skips the bad record through its deserialization-exception handler.
 *
 *   npx tsx examples/schema-validated/main.ts
 *
 * Everything runs in memory: the log, the schema registry (its `_schemas` topic is in that log)
 * and the app.
 */
import { KafkaStreams, openLog, Serdes, TributaryError } from 'tributary';
import { SchemaRegistry } from '../../schema-registry/index.ts';
import { formatAmount, type Payment, type PaymentAlert, paymentAlertsTopology, paymentSerdes } from './payments.ts';

const payments: Payment[] = [
  { id: 'p-1', account: 'acc-1', amountCents: 4_250, currency: 'EUR' },
  { id: 'p-2', account: 'acc-2', amountCents: 250_000, currency: 'EUR' },
  { id: 'p-3', account: 'acc-1', amountCents: 1_200_000, currency: 'USD' },
  // The bad record goes here, at offset 3.
  { id: 'p-4', account: 'acc-3', amountCents: 99_999, currency: 'EUR' },
  { id: 'p-5', account: 'acc-2', amountCents: 100_000, currency: 'GBP' },
];

/** What a producer that forgot the serde writes: JSON text, no magic byte, no schema id. */
const notAvro = new TextEncoder().encode('{"id":"p-x","account":"acc-9","amountCents":5000,"currency":"EUR"}');

/** Where the handler found a record it could not read, and why. */
export interface SkippedRecord {
  topic: string;
  partition: number;
  offset: number;
  code: string;
}

/** An alert read back from `payment-alerts`, with its place in the topic. */
export interface ReadAlert {
  offset: number;
  key: string | null;
  value: PaymentAlert | null;
}

/** Runs the example; answers what it saw so the example's test can check it. */
export async function run(
  options: { quiet?: boolean } = {},
): Promise<{ skipped: SkippedRecord[]; alerts: ReadAlert[] }> {
  const say = (...args: unknown[]) => options.quiet !== true && console.log(...args);
  const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  const registry = await SchemaRegistry.open(log);
  try {
    await log.createTopic({ topic: 'payments' });
    await log.createTopic({ topic: 'payment-alerts' });

    // Registers payments-value and payment-alerts-value: serialize works for those topics from now on.
    const serdes = await paymentSerdes(registry);
    say(
      `registered payments-value (schema id ${serdes.payments.schemaIdFor('payments')}) and payment-alerts-value (schema id ${serdes.alerts.schemaIdFor('payment-alerts')})`,
    );

    // The input, Avro-encoded, with the bad record slipped in at offset 3.
    const keys = Serdes.String();
    const records = payments.map((p) => ({
      key: keys.serialize('payments', p.id),
      value: serdes.payments.serialize('payments', p),
    }));
    records.splice(3, 0, { key: keys.serialize('payments', 'p-x'), value: notAvro });
    await log.append('payments', 0, records);
    say(`produced ${records.length} records to payments-0 (offset 3 is JSON text, not Avro)`);

    // The app. Without a handler a record that does not deserialize stops it (FAIL, Kafka's default);
    // this one logs where the record is and carries on.
    const skipped: SkippedRecord[] = [];
    const streams = new KafkaStreams(paymentAlertsTopology(serdes), {
      applicationId: 'payment-alerts',
      log,
      deserializationExceptionHandler: ({ topic, partition, offset, error }) => {
        const code = error instanceof TributaryError ? error.code : 'UNKNOWN';
        say(`skipped ${topic}-${partition}@${offset} (${code}): ${(error as Error).message}`);
        skipped.push({ topic, partition, offset, code });
        return 'CONTINUE';
      },
    });
    await streams.start();
    await streams.waitForIdle();
    await streams.close();

    // Read the output back with the same serde: every value is checked against its schema again.
    const alerts: ReadAlert[] = [];
    const { records: written } = await log.read('payment-alerts', 0, 0);
    say('payment-alerts:');
    for (const r of written) {
      const alert = {
        offset: r.offset,
        key: keys.deserialize('payment-alerts', r.key),
        value: serdes.alerts.deserialize('payment-alerts', r.value),
      };
      alerts.push(alert);
      if (alert.value !== null) {
        const { level, paymentId, amountCents, currency } = alert.value;
        say(
          `  offset ${alert.offset}  ${alert.key}  ${level.padEnd(6)}  ${paymentId}  ${formatAmount(amountCents, currency)}`,
        );
      }
    }
    say(
      `${alerts.length} alerts; skipped ${skipped.length} bad record(s): ${skipped.map((s) => `${s.topic}-${s.partition}@${s.offset}`).join(', ')}`,
    );
    return { skipped, alerts };
  } finally {
    await registry.close();
    await log.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
