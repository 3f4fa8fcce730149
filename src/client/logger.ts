/**
 * kafkajs-shaped logging: the same `logLevel` numbers, `logCreator` signature and `Logger` methods,
 * so a kafkajs log creator (for pino, winston…) plugs in unchanged.
 */

/** kafkajs's log levels, with the same numbers. */
export enum logLevel {
  NOTHING = 0,
  ERROR = 1,
  WARN = 2,
  INFO = 4,
  DEBUG = 5,
}

/** What a log creator's function receives. */
export interface LogEntry {
  namespace: string;
  level: logLevel;
  label: string;
  log: { readonly timestamp: string; readonly message: string; [key: string]: unknown };
}

/** Builds the function that writes entries at or below `level`. */
export type LogCreator = (level: logLevel) => (entry: LogEntry) => void;

/** A namespaced logger, as kafkajs hands out from `kafka.logger()`. */
export interface Logger {
  /** Logs at INFO: joins, assignments, commits, what an operator follows. `extra` goes out as fields. */
  info(message: string, extra?: object): void;
  /** Logs at ERROR: a failure the program should hear about. */
  error(message: string, extra?: object): void;
  /** Logs at WARN: something went wrong and was dealt with (a retry, a rebalance). */
  warn(message: string, extra?: object): void;
  /** Logs at DEBUG: each request and delivery, for chasing a problem. */
  debug(message: string, extra?: object): void;
  /** A child logger whose entries carry `namespace`, with its own level if given. */
  namespace(namespace: string, level?: logLevel): Logger;
  /** Changes this logger's level from now on. */
  setLogLevel(level: logLevel): void;
}

const LABELS: Record<number, string> = { 1: 'ERROR', 2: 'WARN', 4: 'INFO', 5: 'DEBUG' };

/**
 * The level named by `TRIB_LOG_LEVEL` or kafkajs's `KAFKAJS_LOG_LEVEL` (`nothing`, `error`, `warn`,
 * `info`, `debug`, any case), or undefined when neither names one. As in kafkajs, it wins over the
 * level given in code, so a deployed program's logging can be turned up without a change.
 *
 * @example
 * // TRIB_LOG_LEVEL=debug node app.js
 * logLevelFromEnv(); // logLevel.DEBUG
 */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): logLevel | undefined {
  for (const name of [env.TRIB_LOG_LEVEL, env.KAFKAJS_LOG_LEVEL]) {
    const level =
      name === undefined
        ? undefined
        : (logLevel as unknown as Record<string, logLevel | undefined>)[name.trim().toUpperCase()];
    if (typeof level === 'number') return level;
  }
  return undefined;
}

/** The default creator: one JSON line per entry on stderr, like kafkajs's console logger. */
export const consoleLogCreator: LogCreator = () => (entry) => {
  const { timestamp, message, ...extra } = entry.log;
  const prefix = entry.namespace ? `[${entry.namespace}] ` : '';
  process.stderr.write(
    `${JSON.stringify({ level: entry.label, timestamp, logger: 'tributary', message: `${prefix}${message}`, ...extra })}\n`,
  );
};

/**
 * Creates a root logger.
 *
 * @example
 * const logger = createLogger({ level: logLevel.INFO });
 * logger.namespace('Consumer').info('joined', { groupId: 'g' });
 */
export function createLogger(options: { level?: logLevel; logCreator?: LogCreator; now?: () => number } = {}): Logger {
  const state = { level: logLevelFromEnv() ?? options.level ?? logLevel.INFO };
  const creator = options.logCreator ?? consoleLogCreator;
  const write = creator(state.level);
  const now = options.now ?? Date.now;
  const make = (namespace: string, own?: logLevel): Logger => {
    const emit = (level: logLevel) => (message: string, extra?: object) => {
      const threshold = own ?? state.level;
      if (level > threshold || threshold === logLevel.NOTHING) return;
      write({
        namespace,
        level,
        label: LABELS[level] ?? 'INFO',
        log: { timestamp: new Date(now()).toISOString(), message, ...(extra ?? {}) },
      });
    };
    return {
      error: emit(logLevel.ERROR),
      warn: emit(logLevel.WARN),
      info: emit(logLevel.INFO),
      debug: emit(logLevel.DEBUG),
      namespace: (child, level) => make(namespace ? `${namespace}.${child}` : child, level ?? own),
      setLogLevel: (level) => {
        state.level = logLevelFromEnv() ?? level;
      },
    };
  };
  return make('');
}
