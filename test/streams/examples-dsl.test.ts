import { execFileSync } from 'node:child_process';
import { Serdes, WindowedSerdes } from 'tributary';
import { TopologyTestDriver } from 'tributary/testing';
import { describe, expect, it } from 'vitest';
import { adClicksTopology, type Click, type Impression } from '../../examples/ad-clicks/ad-clicks.ts';
import { type Customer, type Order, ordersWithCustomersTopology } from '../../examples/orders-customers/enrich.ts';
import { type PageView, pageViewSessionsTopology } from '../../examples/pageview-sessions/sessions.ts';
import { WINDOW_MS, windowedWordCountTopology } from '../../examples/windowed-wordcount/wordcount.ts';

const run = (example: string) =>
  execFileSync(process.execPath, ['--import', 'tsx', `examples/${example}/main.ts`], { encoding: 'utf8' });
const S = Serdes.String();

describe('examples/windowed-wordcount', () => {
  it('emits one final count per word and hopping window, after the window and its grace have passed', () => {
    const d = new TopologyTestDriver(windowedWordCountTopology());
    const lines = d.createInputTopic('text-lines', S, S);
    const out = d.createOutputTopic(
      'windowed-word-counts',
      WindowedSerdes.timeWindowedSerdeFrom(S, WINDOW_MS),
      Serdes.LongNumber(),
    );
    lines.pipeInput(null, 'a b a', 1_000);
    lines.pipeInput(null, 'a', 30_000);
    // Stream time 65 s: [0, 60) closes at 70 s with its grace; nothing is final yet.
    lines.pipeInput(null, 'b', 65_000);
    expect(out.readRecordsToList()).toEqual([]);
    lines.pipeInput(null, 'late but in time: a', 55_000);
    lines.pipeInput(null, 'c', 70_000);
    expect(out.readRecordsToList().map((r) => [r.key!.key, r.key!.window.start, r.value])).toEqual([
      // In the buffer's order: by window end, then by key bytes.
      ['a', 0, 4],
      ['b', 0, 1],
      ['but', 0, 1],
      ['in', 0, 1],
      ['late', 0, 1],
      ['time', 0, 1],
    ]);
  });

  it('runs on the embedded log', () => {
    const out = run('windowed-wordcount');
    expect(out).toContain('fox  [  0 s,  60 s) 3');
    expect(out).toContain('the  [120 s, 180 s) 1');
    expect(out).toContain('33 final counts, one per word and window');
  });
});

describe('examples/pageview-sessions', () => {
  it('summarises each closed session once, merging sessions a late view bridges', () => {
    const d = new TopologyTestDriver(pageViewSessionsTopology());
    const views = d.createInputTopic('page-views', S, Serdes.Json<PageView>());
    const out = d.createOutputTopic('user-sessions', WindowedSerdes.sessionWindowedSerdeFrom(S), Serdes.Json());
    const min = 60_000;
    views.pipeInput('u', { page: '/a' }, 0);
    views.pipeInput('u', { page: '/b' }, 6.5 * min);
    views.pipeInput('u', { page: '/c' }, 3 * min);
    views.pipeInput('u', { page: '/d' }, 60 * min);
    expect(out.readRecordsToList().map((r) => [r.key!.window.start / min, r.key!.window.end / min, r.value])).toEqual([
      [0, 6.5, { views: 3, pages: ['/a', '/b', '/c'] }],
    ]);
  });

  it('runs on the embedded log', () => {
    expect(run('pageview-sessions').trim().split('\n')).toEqual([
      'alice minutes 0-4: 3 views /home /shoes /cart',
      'bob   minutes 3-9.5: 3 views /home /help /faq',
      'alice minutes 24-24: 1 views /home',
    ]);
  });
});

describe('examples/ad-clicks', () => {
  it('joins clicks within five minutes after their impression and reports unclicked impressions when the window closes', () => {
    const d = new TopologyTestDriver(adClicksTopology());
    const imps = d.createInputTopic('ad-impressions', S, Serdes.Json<Impression>());
    const clicks = d.createInputTopic('ad-clicks', S, Serdes.Json<Click>());
    const out = d.createOutputTopic('ad-outcomes', S, Serdes.Json<{ clicked: boolean }>());
    imps.pipeInput('i1', { ad: 'x', user: 'u' }, 0);
    imps.pipeInput('i2', { ad: 'y', user: 'v' }, 0);
    clicks.pipeInput('i1', { ad: 'x' }, 4 * 60_000);
    // A click before its impression does not count (the window looks only forward).
    clicks.pipeInput('i3', { ad: 'z' }, 4 * 60_000);
    imps.pipeInput('i3', { ad: 'z', user: 'w' }, 5 * 60_000);
    expect(out.readKeyValuesToList().map(({ key, value }) => [key, value!.clicked])).toEqual([['i1', true]]);
    imps.pipeInput('i9', { ad: 'q', user: 'q' }, 20 * 60_000);
    expect(out.readKeyValuesToList().map(({ key, value }) => [key, value!.clicked])).toEqual([
      ['i2', false],
      ['i3', false],
    ]);
  });

  it('runs on the embedded log', () => {
    expect(run('ad-clicks').trim().split('\n')).toEqual([
      'imp-1 shoes alice clicked',
      'imp-2 hats  bob   not clicked',
      'imp-3 shoes carol not clicked',
    ]);
  });
});

describe('examples/orders-customers', () => {
  it('keeps every order joined with its current customer, in the store too', () => {
    const d = new TopologyTestDriver(ordersWithCustomersTopology(), { partitions: 3 });
    const orders = d.createInputTopic('orders', S, Serdes.Json<Order>());
    const customers = d.createInputTopic('customers', S, Serdes.Json<Customer>());
    customers.pipeInput('c1', { name: 'Ada', tier: 'gold' }, 1);
    orders.pipeInput('o1', { customerId: 'c1', amount: 5 }, 2);
    orders.pipeInput('o2', { customerId: 'c2', amount: 6 }, 3);
    customers.pipeInput('c2', { name: 'Bo', tier: 'standard' }, 4);
    customers.pipeInput('c1', { name: 'Ada L.', tier: 'gold' }, 5);
    const store = d.getKeyValueStore<string, { customer: string }>('enriched-orders-store');
    expect(store.get('o1')).toEqual({ customer: 'Ada L.', tier: 'gold', amount: 5 });
    expect(store.get('o2')).toEqual({ customer: 'Bo', tier: 'standard', amount: 6 });
    orders.pipeInput('o1', null, 6);
    expect(store.get('o1')).toBeNull();
  });

  it('runs on the embedded log over two partitions', () => {
    expect(run('orders-customers').trim().split('\n')).toEqual([
      '@2 o1 Ada (gold) 30',
      '@4 o2 Brian (standard) 12',
      '@5 o3 Ada (gold) 7',
      '@6 o1 Ada L. (gold) 30',
      '@6 o3 Ada L. (gold) 7',
      '@7 o2 Ada L. (gold) 12',
      '@9 o2 deleted',
      '@9 o1 deleted',
      '@9 o3 deleted',
    ]);
  });
});
