import { execFileSync } from 'node:child_process';
import { type DeserializationErrorContext, type EmbeddedLogBackend, openLog, Serdes, TributaryError } from 'tributary';
import { TopologyTestDriver } from 'tributary/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../examples/schema-validated/main.ts';
import {
  type Payment,
  type PaymentSerdes,
  paymentAlertsTopology,
  paymentSerdes,
} from '../../examples/schema-validated/payments.ts';
import { SchemaRegistry } from '../../schema-registry/index.ts';

describe('examples/schema-validated', () => {
  it('should write an Avro alert per large payment and report exactly the bad record with its offset', async () => {
    const { alerts, skipped } = await run({ quiet: true });
    expect(skipped).toEqual([{ topic: 'payments', partition: 0, offset: 3, code: 'SERIALIZATION_ERROR' }]);
    expect(alerts).toEqual([
      {
        offset: 0,
        key: 'acc-2',
        value: { paymentId: 'p-2', account: 'acc-2', amountCents: 250_000, currency: 'EUR', level: 'REVIEW' },
      },
      {
        offset: 1,
        key: 'acc-1',
        value: { paymentId: 'p-3', account: 'acc-1', amountCents: 1_200_000, currency: 'USD', level: 'BLOCK' },
      },
      {
        offset: 2,
        key: 'acc-2',
        value: { paymentId: 'p-5', account: 'acc-2', amountCents: 100_000, currency: 'GBP', level: 'REVIEW' },
      },
    ]);
  });

  it('should print the alerts and the skipped record when run with no arguments', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/schema-validated/main.ts'], {
      encoding: 'utf8',
    });
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('registered payments-value (schema id 1) and payment-alerts-value (schema id 2)');
    expect(lines.filter((l) => l.startsWith('skipped '))).toEqual([
      expect.stringMatching(/^skipped payments-0@3 \(SERIALIZATION_ERROR\): /),
    ]);
    expect(lines.filter((l) => l.startsWith('  offset '))).toEqual([
      '  offset 0  acc-2  REVIEW  p-2  2,500.00 EUR',
      '  offset 1  acc-1  BLOCK   p-3  12,000.00 USD',
      '  offset 2  acc-2  REVIEW  p-5  1,000.00 GBP',
    ]);
    expect(lines.at(-1)).toBe('3 alerts; skipped 1 bad record(s): payments-0@3');
  });
});

describe('examples/schema-validated topology on the test driver', () => {
  let log: EmbeddedLogBackend;
  let registry: SchemaRegistry;
  let serdes: PaymentSerdes;

  beforeAll(async () => {
    log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    registry = await SchemaRegistry.open(log);
    serdes = await paymentSerdes(registry);
  });

  afterAll(async () => {
    await registry.close();
    await log.close();
  });

  const payment = (id: string, amountCents: number): Payment => ({
    id,
    account: `acc-${id}`,
    amountCents,
    currency: 'EUR',
  });

  it.each([
    [99_999, null],
    [100_000, 'REVIEW'],
    [999_999, 'REVIEW'],
    [1_000_000, 'BLOCK'],
    [0, null],
  ] as const)('should alert on a payment of %i cents with level %s', (amountCents, level) => {
    const driver = new TopologyTestDriver(paymentAlertsTopology(serdes));
    driver.createInputTopic('payments', Serdes.String(), serdes.payments).pipeInput('p', payment('p', amountCents));
    const out = driver.createOutputTopic('payment-alerts', Serdes.String(), serdes.alerts).readKeyValuesToMap();
    expect(out).toEqual(
      level === null
        ? new Map()
        : new Map([['acc-p', { paymentId: 'p', account: 'acc-p', amountCents, currency: 'EUR', level }]]),
    );
    driver.close();
  });

  /** Bad values, each given the serdes so it can be built from a real encoding. */
  const badValues: [string, (s: PaymentSerdes) => Uint8Array][] = [
    ['JSON text', () => new TextEncoder().encode('{"id":"p","amountCents":500000}')],
    ['fewer bytes than the header', () => Uint8Array.of(0, 0, 0)],
    ['an id the registry does not have', () => Uint8Array.of(0, 0, 0, 0, 99, 2, 0x61)],
    ['a truncated Avro payload', (s) => s.payments.serialize('payments', payment('p', 500_000))!.subarray(0, 8)],
    [
      'a PaymentAlert instead of a Payment',
      (s) =>
        s.alerts.serialize('payment-alerts', {
          paymentId: 'p',
          account: 'a',
          amountCents: 1,
          currency: 'EUR',
          level: 'BLOCK',
        })!,
    ],
  ];

  it.each(badValues)('should skip %s, report its offset and go on with CONTINUE', (_name, bad) => {
    const reported: DeserializationErrorContext[] = [];
    const driver = new TopologyTestDriver(paymentAlertsTopology(serdes), {
      deserializationExceptionHandler: (context) => {
        reported.push(context);
        return 'CONTINUE';
      },
    });
    const payments = driver.createInputTopic('payments', Serdes.String(), serdes.payments);
    const raw = driver.createInputTopic('payments', Serdes.String(), Serdes.ByteArray());
    payments.pipeInput('p-1', payment('1', 500_000));
    raw.pipeInput('p-bad', bad(serdes));
    payments.pipeInput('p-2', payment('2', 2_000_000));
    expect(reported).toEqual([
      { topic: 'payments', partition: 0, offset: 1, error: expect.objectContaining({ code: 'SERIALIZATION_ERROR' }) },
    ]);
    const alerts = driver.createOutputTopic('payment-alerts', Serdes.String(), serdes.alerts).readRecordsToList();
    expect(alerts.map(({ value }) => [value?.paymentId, value?.level])).toEqual([
      ['1', 'REVIEW'],
      ['2', 'BLOCK'],
    ]);
    driver.close();
  });

  it('should stop at the bad record with its offset when no handler is given (FAIL)', () => {
    const driver = new TopologyTestDriver(paymentAlertsTopology(serdes));
    driver.createInputTopic('payments', Serdes.String(), serdes.payments).pipeInput('p-1', payment('1', 500_000));
    let failure: unknown;
    try {
      driver
        .createInputTopic('payments', Serdes.String(), Serdes.ByteArray())
        .pipeInput('p-bad', new TextEncoder().encode('{}'));
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(TributaryError);
    expect((failure as TributaryError).code).toBe('SERIALIZATION_ERROR');
    expect((failure as TributaryError).context).toMatchObject({ topic: 'payments', partition: 0, offset: 1 });
    driver.close();
  });
});
