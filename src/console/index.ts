/**
 * Tributary's web console: topics, messages, consumer groups, schemas and streams applications in
 * a browser, and `/metrics` for Prometheus. `trib console` and `trib serve --console PORT` start it.
 *
 * @example
 * import { openLog } from 'tributary';
 * import { startConsole } from 'tributary/console';
 *
 * const log = await openLog({ dataDir: './.tributary' });
 * const console = await startConsole({ log, port: 8080 });
 */
export {
  buildConsoleApp,
  CONTENT_SECURITY_POLICY,
  type ConsoleApp,
  type ConsoleOptions,
  type ConsoleServer,
  startConsole,
} from './app.ts';
export type { ConsoleLog } from './console-log.ts';
export { type ConsoleRegistry, FIELD_FORMATS, type FieldFormat, FieldDecoder, type ShownField } from './decode.ts';
export { lineDiff, type DiffLine } from './line-diff.ts';
export { ConsoleMetrics, type ConsoleMetricsOptions, type MetricsPoint } from './metrics.ts';
export { type StreamsApp, StreamsApps } from './streams-apps.ts';
