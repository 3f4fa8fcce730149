/**
 * What every route of the console works with: the log it reads, the admin for groups, the registry
 * (when there is one), the streams apps of this process, and whether it may change anything.
 */
import type { ConsoleLog } from '../console-log.ts';
import type { Admin } from '../../client/admin.ts';
import type { Producer } from '../../client/producer.ts';
import type { ConsoleRegistry, FieldDecoder } from '../decode.ts';
import { ConsoleHttpError } from '../http-errors.ts';
import type { ConsoleMetrics } from '../metrics.ts';
import type { StreamsApps } from '../streams-apps.ts';

export interface ConsoleContext {
  readonly log: ConsoleLog;
  readonly admin: Admin;
  readonly registry: ConsoleRegistry | undefined;
  readonly readOnly: boolean;
  readonly decoder: FieldDecoder;
  readonly metrics: ConsoleMetrics;
  readonly streams: StreamsApps;
  /** Clock time of the last append seen per topic (by the metrics' samples and the console's own produce). */
  readonly lastWrite: Map<string, number>;
  /** The console's clock time, ms. */
  now(): number;
  /** A connected producer, made on first use. */
  producer(): Promise<Producer>;
  /** Throws READ_ONLY (403) when the console may not change data. */
  writable(): void;
}

export function readOnlyGuard(readOnly: boolean): () => void {
  return () => {
    if (readOnly)
      throw new ConsoleHttpError(403, 'READ_ONLY', 'The console is read-only: nothing can be changed from it');
  };
}
