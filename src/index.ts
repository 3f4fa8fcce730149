/**
 * Tributary's front door: everything a program imports comes from here.
 *
 * @example
 * import { openLog, Serdes } from 'tributary';
 */
export { type Clock, ManualClock, systemClock, type TimerHandle } from './clock.ts';
export {
  CorruptRecordError,
  type ErrorCode,
  ErrorCodes,
  type ErrorContext,
  InvalidConfigError,
  InvalidTopicError,
  OffsetOutOfRangeError,
  SerializationError,
  TributaryError,
  type TributaryErrorOptions,
  UnknownTopicOrPartitionError,
} from './errors.ts';
export * from './log/index.ts';
export { defaultPartition, murmur2 } from './protocol/index.ts';
export * from './serde/index.ts';
