import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, TributaryError, UnknownTopicOrPartitionError } from '../src/errors.ts';

describe('errors', () => {
  it('should list every error code in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ErrorCodes)) expect(readme, code).toContain(`| \`${code}\` |`);
  });

  it('should carry code, retriable, cause and context', () => {
    const cause = new Error('disk');
    const err = new UnknownTopicOrPartitionError('no such topic', { topic: 't', partition: 2, cause, retriable: true });
    expect(err).toBeInstanceOf(TributaryError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('UnknownTopicOrPartitionError');
    expect([err.code, err.retriable, err.cause, err.topic, err.partition]).toEqual([
      'UNKNOWN_TOPIC_OR_PARTITION',
      true,
      cause,
      't',
      2,
    ]);
    expect(Object.isFrozen(err.context)).toBe(true);
  });
});
