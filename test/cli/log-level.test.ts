import { describe, expect, it } from 'vitest';
import { createLogger, type LogEntry, logLevel, logLevelFromEnv } from '../../src/client/logger.ts';
import { cliLogLevel } from '../../src/cli/log-level.ts';

describe('TRIB_LOG_LEVEL and KAFKAJS_LOG_LEVEL', () => {
  it('should name a level in any case, TRIB_LOG_LEVEL first, and nothing for an unknown name', () => {
    expect(logLevelFromEnv({ TRIB_LOG_LEVEL: 'debug' })).toBe(logLevel.DEBUG);
    expect(logLevelFromEnv({ KAFKAJS_LOG_LEVEL: 'WARN' })).toBe(logLevel.WARN);
    expect(logLevelFromEnv({ TRIB_LOG_LEVEL: 'error', KAFKAJS_LOG_LEVEL: 'debug' })).toBe(logLevel.ERROR);
    expect(logLevelFromEnv({ TRIB_LOG_LEVEL: 'Nothing' })).toBe(logLevel.NOTHING);
    expect(logLevelFromEnv({ TRIB_LOG_LEVEL: 'loud' })).toBeUndefined();
    expect(logLevelFromEnv({})).toBeUndefined();
  });

  it('should keep the CLI quiet by default and follow the environment when set', () => {
    expect(cliLogLevel({})).toBe(logLevel.NOTHING);
    expect(cliLogLevel({ KAFKAJS_LOG_LEVEL: 'info' })).toBe(logLevel.INFO);
  });

  it('should win over the level given in code, as KAFKAJS_LOG_LEVEL does in kafkajs', () => {
    const saved = process.env.TRIB_LOG_LEVEL;
    process.env.TRIB_LOG_LEVEL = 'debug';
    try {
      const entries: LogEntry[] = [];
      const logger = createLogger({ level: logLevel.ERROR, logCreator: () => (entry) => entries.push(entry) });
      logger.debug('joined');
      logger.setLogLevel(logLevel.NOTHING);
      logger.info('assigned');
      expect(entries.map((e) => [e.label, e.log.message])).toEqual([
        ['DEBUG', 'joined'],
        ['INFO', 'assigned'],
      ]);
    } finally {
      if (saved === undefined) delete process.env.TRIB_LOG_LEVEL;
      else process.env.TRIB_LOG_LEVEL = saved;
    }
  });
});
