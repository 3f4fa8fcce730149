/**
 * Ad impressions and clicks on the embedded log: three impressions, two clicks (one too late to
 * count), and the outcome of each impression.
 *
 *   npx tsx examples/ad-clicks/main.ts
 */
import { Serdes } from 'tributary';
import { runOnLog } from '../shared/run-on-log.ts';
import { type AdOutcome, adClicksTopology, type Click, type Impression } from './ad-clicks.ts';

const minute = 60_000;
const impression = (id: string, ad: string, user: string, timestamp: number) => ({
  topic: 'ad-impressions',
  key: id,
  value: { ad, user } satisfies Impression,
  timestamp,
});
const click = (id: string, ad: string, timestamp: number) => ({
  topic: 'ad-clicks',
  key: id,
  value: { ad } satisfies Click,
  timestamp,
});
const results = await runOnLog(
  'ad-clicks',
  adClicksTopology(),
  1,
  [
    { topic: 'ad-impressions', keySerde: Serdes.String(), valueSerde: Serdes.Json<Impression>() },
    { topic: 'ad-clicks', keySerde: Serdes.String(), valueSerde: Serdes.Json<Click>() },
  ],
  [
    impression('imp-1', 'shoes', 'alice', 0),
    impression('imp-2', 'hats', 'bob', 1 * minute),
    impression('imp-3', 'shoes', 'carol', 2 * minute),
    click('imp-1', 'shoes', 3 * minute),
    // Ten minutes after imp-3: outside its window.
    click('imp-3', 'shoes', 12 * minute),
    // Moves stream time on so the windows above close and unclicked impressions are reported.
    impression('imp-4', 'socks', 'dave', 30 * minute),
  ],
  [{ topic: 'ad-outcomes', keySerde: Serdes.String(), valueSerde: Serdes.Json<AdOutcome>() }],
  // As in Kafka, a left join looks for impressions whose window closed at most once a second of
  // wall-clock time (1 000 ms by default); these six records arrive within one, so look every time.
  { outerJoinEmitIntervalMs: 0 },
);
for (const r of results.get('ad-outcomes') ?? []) {
  const o = r.value as AdOutcome;
  console.log(`${r.key} ${o.ad.padEnd(5)} ${o.user.padEnd(5)} ${o.clicked ? 'clicked' : 'not clicked'}`);
}
