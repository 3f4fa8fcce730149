/**
 * Page-view sessionisation: each user's page views fall into sessions that end after 5 minutes
 * without a view (views up to 2 minutes late are still placed); per session the app keeps the
 * number of views and the pages seen, and `user-sessions` gets every session's final summary once
 * it has closed, keyed by the user and the session's first and last view.
 */
import {
  BufferConfig,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  type Topology,
  WindowedSerdes,
} from 'tributary';

export const INACTIVITY_GAP_MS = 5 * 60_000;
export const GRACE_MS = 2 * 60_000;

export interface PageView {
  page: string;
}

export interface SessionSummary {
  views: number;
  pages: string[];
}

export function pageViewSessionsTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream('page-views', { keySerde: Serdes.String(), valueSerde: Serdes.Json<PageView>() })
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(INACTIVITY_GAP_MS, GRACE_MS))
    .aggregate<SessionSummary>(
      () => ({ views: 0, pages: [] }),
      (_user, view, session) => ({ views: session.views + 1, pages: [...session.pages, view.page] }),
      // Two sessions a late view brings together become one.
      (_user, a, b) => ({ views: a.views + b.views, pages: [...a.pages, ...b.pages] }),
      {
        materialized: {
          storeName: 'sessions',
          keySerde: Serdes.String(),
          valueSerde: Serdes.Json<SessionSummary>(),
        },
      },
    )
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .to('user-sessions', {
      keySerde: WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String()),
      valueSerde: Serdes.Json<SessionSummary>(),
    });
  return builder.build();
}
