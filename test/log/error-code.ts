import { expect } from 'vitest';
import { TributaryError } from '../../src/errors.ts';

/** The `code` of the TributaryError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return (err as TributaryError).code;
  }
  throw new Error('expected an error');
}
