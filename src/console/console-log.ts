import type { LogBackend } from '../log/backend.ts';

/**
 * The calls of the log the console makes: the embedded log has them all, and over the wire an
 * adapter answers them with Metadata, ListOffsets, Fetch and the admin calls (`trib console -b`).
 */
export type ConsoleLog = Pick<
  LogBackend,
  | 'listTopics'
  | 'describeTopic'
  | 'offsets'
  | 'read'
  | 'offsetForTimestamp'
  | 'waitForData'
  | 'createTopic'
  | 'deleteTopic'
  | 'alterConfigs'
>;
