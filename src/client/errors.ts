/**
 * The errors the clients raise on top of the log's: group membership, fencing and client state.
 * Each is a {@link TributaryError} whose `code` is one of {@link ClientErrorCodes} (Kafka's protocol
 * error names, so a Kafka user recognises them).
 */
import { type ErrorCode, ErrorCodes, TributaryError, type TributaryErrorOptions } from '../errors.ts';

/** The codes the clients add to the log's; all are listed in {@link ErrorCodes}. */
export const ClientErrorCodes = {
  ILLEGAL_GENERATION: ErrorCodes.ILLEGAL_GENERATION,
  REBALANCE_IN_PROGRESS: ErrorCodes.REBALANCE_IN_PROGRESS,
  UNKNOWN_MEMBER_ID: ErrorCodes.UNKNOWN_MEMBER_ID,
  GROUP_ID_NOT_FOUND: ErrorCodes.GROUP_ID_NOT_FOUND,
  NON_EMPTY_GROUP: ErrorCodes.NON_EMPTY_GROUP,
  INVALID_GROUP_ID: ErrorCodes.INVALID_GROUP_ID,
  INCONSISTENT_GROUP_PROTOCOL: ErrorCodes.INCONSISTENT_GROUP_PROTOCOL,
  CLIENT_NOT_CONNECTED: ErrorCodes.CLIENT_NOT_CONNECTED,
  PRODUCER_NOT_TRANSACTIONAL: ErrorCodes.PRODUCER_NOT_TRANSACTIONAL,
} as const;

/** A stable client error code: one of the keys of {@link ClientErrorCodes}. */
export type ClientErrorCode = keyof typeof ClientErrorCodes;

/**
 * An error raised by a producer, consumer, admin or group coordinator. Branch on `code`.
 *
 * @example
 * try { await consumer.commitOffsets(offsets) }
 * catch (err) { if (err instanceof TributaryClientError && err.code === 'REBALANCE_IN_PROGRESS') retry() }
 */
export class TributaryClientError extends TributaryError {
  constructor(code: ErrorCode, message: string, options: TributaryErrorOptions = {}) {
    super(code, message, options);
  }
}

export function clientError(
  code: ErrorCode,
  message: string,
  options: TributaryErrorOptions = {},
): TributaryClientError {
  return new TributaryClientError(code, message, options);
}

/** True when `err` is a Tributary error with `code`, whether a log or a client code. */
export function hasCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof TributaryError && err.code === code;
}
