import { describe, expect, it } from 'vitest';
import { serve } from '../../src/broker/index.ts';
import { buildConsoleApp } from '../../src/console/index.ts';
import { Tributary } from '../../src/index.ts';
import { openLog } from '../../src/log/index.ts';

describe('console /metrics beside a broker', () => {
  it("publishes the broker's request latencies per API", { timeout: 60_000 }, async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    const broker = await serve({ log, port: 0, groupInitialRebalanceDelayMs: 0 });
    const console_ = buildConsoleApp({ log, broker });
    const client = new Tributary({ brokers: [`127.0.0.1:${broker.address().port}`], logLevel: 0 });
    try {
      const admin = client.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'm', numPartitions: 1 }] });
      const producer = client.producer();
      await producer.connect();
      await producer.send({ topic: 'm', messages: [{ value: 'x' }] });
      await producer.disconnect();
      await admin.disconnect();
      const text = (await console_.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'localhost' } })).body;
      expect(text).toContain('# TYPE tributary_broker_request_duration_seconds histogram');
      expect(text).toMatch(/tributary_broker_request_duration_seconds_count\{api="Produce"\} 1\n/);
      expect(text).toMatch(/tributary_broker_request_duration_seconds_bucket\{api="Metadata",le="\+Inf"\} [1-9]/);
      const counts = [...text.matchAll(/_count\{api="(\w+)"\}/g)].map((m) => m[1]);
      expect(counts).toEqual(expect.arrayContaining(['ApiVersions', 'Metadata', 'CreateTopics', 'Produce']));
    } finally {
      await client.close();
      await console_.close();
      await broker.close();
      await log.close();
    }
  });
});
