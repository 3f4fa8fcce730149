/**
 * The CLI's log level: quiet unless `TRIB_LOG_LEVEL` (or kafkajs's `KAFKAJS_LOG_LEVEL`) asks for
 * more, so records on stdout and the one-line summaries on stderr stay clean by default. Log lines
 * go to stderr as JSON, as the library writes them.
 */
import { logLevel, logLevelFromEnv } from '../client/logger.ts';

/** The level the environment names, else NOTHING. */
export function cliLogLevel(env: NodeJS.ProcessEnv): logLevel {
  return logLevelFromEnv(env) ?? logLevel.NOTHING;
}
