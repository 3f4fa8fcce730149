/**
 * How long the broker takes to answer, per API: a latency histogram each (Prometheus' cumulative
 * buckets, their sum and count), from the frame's arrival to its response being encoded. The web
 * console beside the broker (`trib serve --console`) publishes them on `/metrics` as
 * `tributary_broker_request_duration_seconds{api="Produce"}`; nothing else reads them.
 *
 * @example
 * const metrics = new RequestMetrics();
 * metrics.observe('Fetch', 0.0021);
 * metrics.snapshot(); // [{ name: 'Fetch', buckets: [0, 0, 1, …], sum: 0.0021, count: 1 }]
 */

/** Upper bounds of the buckets, seconds: from 1 ms (a produce from memory) to 10 s (a held Fetch). */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One histogram: counts per bucket (not cumulative; the last is +Inf), their sum and count. */
export interface Histogram {
  readonly name: string;
  readonly buckets: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/** Latency histograms by name. */
export class LatencyHistograms {
  readonly #byName = new Map<string, { buckets: number[]; sum: number; count: number }>();

  /** Counts one observation of `seconds` under `name`. */
  observe(name: string, seconds: number): void {
    let entry = this.#byName.get(name);
    if (entry === undefined) {
      entry = { buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.#byName.set(name, entry);
    }
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    entry.buckets[i]!++;
    entry.sum += seconds;
    entry.count++;
  }

  /** Every histogram as it stands, copied. */
  snapshot(): Histogram[] {
    return [...this.#byName].map(([name, e]) => ({ name, buckets: [...e.buckets], sum: e.sum, count: e.count }));
  }
}

/** The broker's request latencies, by API name. */
export class RequestMetrics extends LatencyHistograms {}

/** A label value as Prometheus' text format writes it: backslash, quote and newline escaped. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Prometheus text for `histograms` as `family`, each labelled `label="name"`: cumulative
 * `_bucket{le=…}` lines, `_sum` and `_count`.
 */
export function prometheusHistograms(family: string, help: string, label: string, histograms: Histogram[]): string[] {
  const out = [`# HELP ${family} ${help}`, `# TYPE ${family} histogram`];
  for (const h of histograms) {
    const l = `${label}="${escapeLabel(h.name)}"`;
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((bound, i) => {
      cumulative += h.buckets[i]!;
      out.push(`${family}_bucket{${l},le="${bound}"} ${cumulative}`);
    });
    out.push(`${family}_bucket{${l},le="+Inf"} ${h.count}`);
    out.push(`${family}_sum{${l}} ${h.sum}`);
    out.push(`${family}_count{${l}} ${h.count}`);
  }
  return out;
}
