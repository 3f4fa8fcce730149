/**
 * The console end to end in headless Chromium (Debian's `chromium`, driven by playwright-core):
 * each page of the issue is used as a user would, and a screenshot of each goes to docs/console/.
 * The console runs over a real LevelDB log in this process, with the schema registry and a
 * WordCount Kafka Streams app on it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroSerde, consoleRegistry, SchemaRegistry } from '../../../schema-registry/index.ts';
import { type ConsoleServer, startConsole } from '../../../src/console/index.ts';
import { KafkaStreams, Serdes, StreamsBuilder, Tributary } from '../../../src/index.ts';
import { type EmbeddedLogBackend, openLog } from '../../../src/log/index.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** expect.poll with room for a loaded machine (the page refetches after each navigation). */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) =>
  expect.poll(fn, { timeout: options.timeout ?? 20_000, interval: 100 });
const SHOTS = join(import.meta.dirname, '..', '..', '..', 'docs', 'console');

function wordCount() {
  const builder = new StreamsBuilder();
  builder
    .stream('text-lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .flatMapValues((line) =>
      line
        .toLowerCase()
        .split(/\W+/)
        .filter((w) => w.length > 0),
    )
    .groupBy((_key, word) => word, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .count({ materialized: 'counts-store' })
    .toStream()
    .to('word-counts', { keySerde: Serdes.String(), valueSerde: Serdes.LongNumber() });
  return builder.build();
}

describe('the console in Chromium', () => {
  let dir: string;
  let log: EmbeddedLogBackend;
  let registry: SchemaRegistry;
  let tributary: Tributary;
  let server: ConsoleServer;
  let streams: KafkaStreams;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const cspViolations: string[] = [];

  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };
  const open = async (hash: string) => {
    await page.goto(`${server.url}/${hash}`);
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does)`);
    dir = mkdtempSync(join(tmpdir(), 'tributary-console-'));
    log = await openLog({ dataDir: dir });
    registry = await SchemaRegistry.open(log);
    tributary = new Tributary({ log, logLevel: 0 });
    await log.createTopic({ topic: 'text-lines', numPartitions: 2 });
    await log.createTopic({ topic: 'word-counts', numPartitions: 2 });
    const topology = wordCount();
    streams = new KafkaStreams(topology, { applicationId: 'wordcount', tributary, commitIntervalMs: 100 });
    await log.append('text-lines', 0, [
      { key: null, value: Buffer.from('the quick brown fox jumps over the lazy dog') },
    ]);
    await streams.start();
    await streams.waitForIdle();
    server = await startConsole({
      log,
      tributary,
      registry: consoleRegistry(registry),
      port: 0,
      metricsIntervalMs: 500,
    });
    server.streams.add({ applicationId: 'wordcount', topology, streams });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      // The delete confirmation is a prompt for the topic's name; anything else (an alert) would be an injection.
      if (dialog.type() === 'prompt') void dialog.accept(dialog.message().split(': ').at(-1));
      else void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await streams?.close();
    await tributary?.close();
    await registry?.close();
    await log?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a topic from the page, and lists it', async () => {
    await open('#/topics');
    await page.locator('summary', { hasText: 'Create a topic' }).click();
    await page.locator('#create-topic input[name=topic]').fill('orders');
    await page.locator('#create-topic input[name=partitions]').fill('3');
    await page.locator('#create-topic textarea[name=configs]').fill('retention.ms=86400000');
    await page.locator('#create-topic button[type=submit]').click();
    await poll(() => page.locator('table a', { hasText: 'orders' }).count()).toBe(1);
    expect((await log.describeTopic('orders')).partitions).toHaveLength(3);
    await shot('topics');
    await page.locator('table a', { hasText: 'orders' }).click();
    await poll(() => page.locator('tr.override td', { hasText: 'retention.ms' }).count()).toBe(1);
    await shot('topic');
  });

  it('produces from the page, and shows a record decoded through an Avro schema', async () => {
    const schema = JSON.stringify({
      type: 'record',
      name: 'Order',
      fields: [
        { name: 'id', type: 'int' },
        { name: 'item', type: 'string' },
      ],
    });
    await registry.register('orders-value', { schema });
    await open('#/topics/orders/messages?from=beginning');
    await page.locator('summary', { hasText: 'Produce a record' }).click();
    await page.locator('#produce input[name=key]').fill('order-1');
    await page.locator('#produce input[name=partition]').fill('0');
    await page.locator('#produce textarea[name=value]').fill('{"id": 1, "item": "tea"}');
    await page.locator('#produce select[name=valueFormat]').selectOption('schema');
    await page.locator('#produce button[type=submit]').click();
    await poll(() => page.locator('#produce .ok').textContent()).toContain('partition 0 at offset 0');
    // Written by a serde elsewhere, shown decoded all the same.
    const serde = await avroSerde({ registry, schema, topics: ['orders'] });
    await log.append('orders', 1, [
      { key: Buffer.from('order-2'), value: Buffer.from(serde.serialize('orders', { id: 2, item: 'milk' })!) },
    ]);
    await open('#/topics/orders/messages?from=beginning&limit=10');
    await poll(() => page.locator('table.records .format', { hasText: 'avro' }).count()).toBe(2);
    const values = await page.locator('table.records td:nth-child(5) pre').allTextContents();
    expect(values.map((v) => JSON.parse(v))).toEqual([
      { id: 1, item: 'tea' },
      { id: 2, item: 'milk' },
    ]);
    await shot('messages');
  });

  it('follows the live tail', async () => {
    await open('#/topics/orders/messages?from=end');
    await page.locator('#follow').click();
    await poll(() => page.locator('#follow').textContent()).toBe('Stop following');
    const producer = tributary.producer();
    await producer.connect();
    // The tail starts at the end as of its request: send until one arrives (the EventSource connects asynchronously).
    let sent = 0;
    await poll(async () => {
      await producer.send({ topic: 'orders', messages: [{ key: 'live', value: `live record ${sent++}` }] });
      return page.locator('h2', { hasText: 'Live' }).count();
    }).toBe(1);
    // The tail may have begun after that send: keep sending until a record is shown.
    await poll(async () => {
      await producer.send({ topic: 'orders', messages: [{ key: 'live', value: `live record ${sent++}` }] });
      return page.locator('table.records pre', { hasText: 'live record' }).count();
    }).toBeGreaterThan(0);
    await producer.disconnect();
    await shot('live-tail');
    await page.locator('#follow').click();
  });

  it("watches a group's lag fall while a consumer runs, then resets its offsets", async () => {
    await log.createTopic({ topic: 'payments', numPartitions: 2 });
    for (let p = 0; p < 2; p++) {
      await log.append(
        'payments',
        p,
        Array.from({ length: 50 }, (_, i) => ({ key: null, value: Buffer.from(`payment ${i}`) })),
      );
    }
    const admin = tributary.admin();
    await admin.connect();
    for (const partition of [0, 1]) {
      await admin.setOffsets({ groupId: 'billing', topic: 'payments', partitions: [{ partition, offset: '0' }] });
    }
    await open('#/groups/billing');
    await poll(() => page.locator('#total-lag').textContent()).toBe('100');
    const consumer = tributary.consumer({ groupId: 'billing' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'payments' });
    await consumer.run({ eachMessage: async () => undefined });
    await poll(() => page.locator('#total-lag').textContent(), { timeout: 60_000 }).toBe('0');
    await shot('group');
    // A group with members cannot be reset; stopped, it can, after a preview.
    await page.locator('#reset select[name=to]').selectOption('earliest');
    await page.locator('#reset button[type=submit]').click();
    await poll(() => page.locator('.error').textContent()).toContain('active member');
    await consumer.disconnect();
    await page.locator('#reset button[type=submit]').click();
    await poll(() => page.locator('#reset-preview caption').textContent()).toContain('Preview');
    expect((await admin.fetchConsumerLag({ groupId: 'billing' }))[0]!.partitions.map((p) => p.lag)).toEqual(['0', '0']);
    await shot('group-reset-preview');
    await page.locator('#apply-reset').click();
    await poll(() => page.locator('#reset-preview caption').textContent()).toBe('Applied');
    await poll(() => page.locator('#total-lag').textContent()).toBe('100');
    await admin.disconnect();
  });

  it('shows the diff between two versions of a schema', async () => {
    const v1 = { type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }] };
    const v2 = { ...v1, fields: [...v1.fields, { name: 'email', type: ['null', 'string'], default: null }] };
    await registry.register('users-value', { schema: JSON.stringify(v1) });
    await registry.register('users-value', { schema: JSON.stringify(v2) });
    await open('#/schemas/users-value');
    await poll(() => page.locator('#diff .add').count()).toBeGreaterThan(0);
    expect((await page.locator('#diff .add').allTextContents()).join('')).toContain('"email"');
    await shot('schema-diff');
    // A malformed schema pasted into the check gets a message, not a broken page.
    await page.locator('#schema-check textarea').fill('{"type": "record", "name": ');
    await page.locator('#schema-check button[type=submit]').click();
    await poll(() => page.locator('#check-result, .error').first().textContent()).toMatch(
      /is_compatible|Invalid|invalid/,
    );
  });

  it('draws the WordCount topology graph and queries its store', async () => {
    await open('#/streams/wordcount');
    await poll(() => page.locator('svg g.node').count()).toBeGreaterThan(4);
    expect(await page.locator('svg g.node.source text').first().textContent()).toMatch(/KSTREAM-SOURCE/);
    await page.locator('#store-query input[name=key]').fill('the');
    await page.locator('#store-query button').click();
    await poll(() => page.locator('#store-entries td').nth(1).textContent()).toBe('2');
    await shot('streams-topology');
    await open('#/');
    await poll(() => page.locator('.card').count()).toBe(7);
    await shot('overview');
  });

  it('shows hostile names and data as text, never as markup', async () => {
    const hostile = [
      '<script>alert(1)</script>',
      '../../etc/passwd',
      'user\u202etxt.exe',
      '<img src=x onerror=alert(2)>',
    ];
    for (const subject of hostile) {
      await registry.register(subject, { schema: '"string"' });
    }
    await log.createTopic({ topic: 'hostile', numPartitions: 1 });
    await log.append('hostile', 0, [
      {
        key: Buffer.from('<img src=x onerror=alert(3)>'),
        value: Buffer.from('<script>alert(4)</script>'),
        headers: [{ key: '<b onmouseover=alert(5)>', value: Buffer.from('<svg onload=alert(6)>') }],
      },
    ]);
    await open('#/schemas');
    await poll(() => page.locator('ul.subjects li').count()).toBeGreaterThanOrEqual(hostile.length);
    const shown = await page.locator('ul.subjects a').allTextContents();
    for (const subject of hostile) expect(shown).toContain(subject);
    expect(await page.locator('ul.subjects script, ul.subjects img').count()).toBe(0);
    await open('#/topics/hostile/messages?from=beginning');
    await poll(() => page.locator('table.records pre').count()).toBe(3);
    expect(await page.locator('table.records pre').allTextContents()).toEqual([
      '<img src=x onerror=alert(3)>',
      '<script>alert(4)</script>',
      '<svg onload=alert(6)>',
    ]);
    expect(await page.locator('table.records script, table.records img, table.records svg').count()).toBe(0);
    expect(dialogs.filter((d) => d.startsWith('alert'))).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it('answers bad input with a message on the page', async () => {
    await open('#/topics/no-such-topic');
    await poll(() => page.locator('.error').textContent()).toContain('no-such-topic');
    await open('#/topics/orders/messages?partition=0&from=offset&offset=999999');
    await poll(() => page.locator('.error').textContent()).toContain('past the end');
    await open('#/topics/orders/messages?from=beginning');
    await page.locator('summary', { hasText: 'Produce a record' }).click();
    await page.locator('#produce textarea[name=value]').fill('x'.repeat(1024 * 1024 + 10));
    await page.locator('#produce button[type=submit]').click();
    await poll(() => page.locator('#produce .error').textContent()).toContain('413');
    await shot('error');
  });

  it('lists 10,000 topics a page at a time', { timeout: 300_000 }, async () => {
    for (let i = 0; i < 10_000; i++) await log.createTopic({ topic: `many-${String(i).padStart(5, '0')}` });
    const started = performance.now();
    await open('#/topics?filter=many-');
    await poll(() => page.locator('table tbody tr').count()).toBe(500);
    const firstPageMs = performance.now() - started;
    console.log(`topics page with 10,000 matching topics shown in ${firstPageMs.toFixed(0)} ms`);
    expect(await page.locator('.pager span').first().textContent()).toBe('1–500 of 10,000');
    await page.locator('#topics-next').first().click();
    await poll(() => page.locator('table tbody tr a').first().textContent()).toBe('many-00500');
    expect(await page.locator('.pager span').first().textContent()).toBe('501–1,000 of 10,000');
    expect(firstPageMs).toBeLessThan(5000);
    await shot('topics-10000');
  });
});
