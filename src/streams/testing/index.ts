/**
 * `tributary/testing`: run a topology without a log, synchronously and deterministically.
 *
 * @example
 * import { TopologyTestDriver } from 'tributary/testing';
 */
export {
  TestInputTopic,
  TestOutputTopic,
  type TestRecord,
  TopologyTestDriver,
  type TopologyTestDriverOptions,
} from './driver.ts';
