/**
 * Page-view sessionisation on the embedded log: two users browse, one of them twice with a long
 * pause in between, and a late view joins two sessions into one.
 *
 *   npx tsx examples/pageview-sessions/main.ts
 */
import { Serdes, WindowedSerdes } from 'tributary';
import { runOnLog } from '../shared/run-on-log.ts';
import { type PageView, pageViewSessionsTopology, type SessionSummary } from './sessions.ts';

const minute = 60_000;
const views: [string, string, number][] = [
  ['alice', '/home', 0],
  ['alice', '/shoes', 2 * minute],
  ['bob', '/home', 3 * minute],
  ['alice', '/cart', 4 * minute],
  // More than 5 minutes after his first view: a second session for bob…
  ['bob', '/help', 9.5 * minute],
  // …until his view of minute 6 arrives late (within the grace) and joins the two.
  ['bob', '/faq', 6 * minute],
  // Alice comes back after 20 minutes: a new session.
  ['alice', '/home', 24 * minute],
  // Much later views move stream time on, so every session above closes.
  ['alice', '/home', 120 * minute],
  ['bob', '/home', 120 * minute],
];

const results = await runOnLog(
  'pageview-sessions',
  pageViewSessionsTopology(),
  1,
  [{ topic: 'page-views', keySerde: Serdes.String(), valueSerde: Serdes.Json<PageView>() }],
  views.map(([user, page, timestamp]) => ({
    topic: 'page-views',
    key: user,
    value: { page } satisfies PageView,
    timestamp,
  })),
  [
    {
      topic: 'user-sessions',
      keySerde: WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String()),
      valueSerde: Serdes.Json<SessionSummary>(),
    },
  ],
);
for (const r of results.get('user-sessions') ?? []) {
  const key = r.key as { key: string; window: { start: number; end: number } };
  const s = r.value as SessionSummary;
  console.log(
    `${key.key.padEnd(5)} minutes ${key.window.start / minute}-${key.window.end / minute}: ${s.views} views ${s.pages.join(' ')}`,
  );
}
