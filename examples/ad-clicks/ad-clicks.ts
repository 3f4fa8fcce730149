/**
 * Ad impressions joined with clicks (a KStream-KStream join): both streams are keyed by the
 * impression id; a click counts for its impression when it comes at most 5 minutes after it
 * (late records up to 1 minute are still joined). The left join also reports every impression
 * that got no click, once its window has closed, with a null click.
 */
import { JoinWindows, Serdes, StreamsBuilder, type Topology } from 'tributary';

export const CLICK_WINDOW_MS = 5 * 60_000;
export const GRACE_MS = 60_000;

export interface Impression {
  ad: string;
  user: string;
}

export interface Click {
  ad: string;
}

export interface AdOutcome {
  ad: string;
  user: string;
  clicked: boolean;
}

export function adClicksTopology(): Topology {
  const builder = new StreamsBuilder();
  const impressions = builder.stream('ad-impressions', {
    keySerde: Serdes.String(),
    valueSerde: Serdes.Json<Impression>(),
  });
  const clicks = builder.stream('ad-clicks', { keySerde: Serdes.String(), valueSerde: Serdes.Json<Click>() });
  impressions
    .leftJoin(
      clicks,
      (impression, click): AdOutcome => ({ ad: impression.ad, user: impression.user, clicked: click !== null }),
      // Clicks from the impression's time to 5 minutes after it, not before.
      JoinWindows.ofTimeDifferenceAndGrace(CLICK_WINDOW_MS, GRACE_MS).before(0),
      { name: 'impressions-clicks', otherValueSerde: Serdes.Json<Click>(), valueSerde: Serdes.Json<Impression>() },
    )
    .to('ad-outcomes', { keySerde: Serdes.String(), valueSerde: Serdes.Json<AdOutcome>() });
  return builder.build();
}
