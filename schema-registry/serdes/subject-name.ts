/**
 * Subject name strategies, as Confluent's serializers name them:
 *
 * - `topic` (default): `<topic>-key` or `<topic>-value`; one schema per topic.
 * - `record`: the record's full name (Avro record, Protobuf message, JSON Schema `title`); one
 *   schema per record type, in any topic.
 * - `topic-record`: `<topic>-<record name>`; several record types per topic.
 *
 * Or a function of the topic, key/value and record name.
 */
import { TributaryError } from '../../src/index.ts';

/** What a custom strategy is told. */
export interface SubjectNameContext {
  topic: string;
  isKey: boolean;
  /** Undefined when the schema has no record name. */
  recordName: string | undefined;
}

/**
 * Which subject a record's schema is registered under, as Confluent's serializers choose it:
 * `topic` (TopicNameStrategy, `<topic>-value`), `record` (the record's full name), `topic-record`
 * (`<topic>-<record name>`), or a function of the context.
 *
 * @example
 * const strategy: SubjectNameStrategy = ({ topic, isKey }) => `${topic}-${isKey ? 'key' : 'value'}`;
 */
export type SubjectNameStrategy = 'topic' | 'record' | 'topic-record' | ((context: SubjectNameContext) => string);

/** The subject a value of `topic` is registered under. */
export function subjectName(strategy: SubjectNameStrategy, context: SubjectNameContext): string {
  if (typeof strategy === 'function') return strategy(context);
  if (strategy === 'topic') return `${context.topic}-${context.isKey ? 'key' : 'value'}`;
  if (context.recordName === undefined) {
    throw new TributaryError(
      'INVALID_SCHEMA',
      `The ${strategy} subject name strategy needs a schema with a record name`,
      {
        topic: context.topic,
      },
    );
  }
  return strategy === 'record' ? context.recordName : `${context.topic}-${context.recordName}`;
}

/** True when the subject does not depend on the topic. */
export function isTopicFree(strategy: SubjectNameStrategy): boolean {
  return strategy === 'record';
}
