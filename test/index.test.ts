import { describe, expectTypeOf, it } from 'vitest';
import type { ProcessorContext, ProcessorRecordMetadata, Producer, RecordMetadata } from '../src/index.ts';
import type { RecordMetadata as StreamsRecordMetadata } from '../src/streams/processor.ts';

// Type-level checks: `npx tsc --noEmit` (run by .ci/run over test/) fails if one does not hold.

describe('the public entry point', () => {
  it('should export the producer send result as RecordMetadata, as kafkajs does', () => {
    expectTypeOf<Awaited<ReturnType<Producer['send']>>>().toEqualTypeOf<RecordMetadata[]>();
    expectTypeOf<RecordMetadata>().toHaveProperty('topicName');
    expectTypeOf<RecordMetadata>().toHaveProperty('baseOffset');
  });

  it('should export the processor-side RecordMetadata as ProcessorRecordMetadata, not shadowed by the client one', () => {
    expectTypeOf<ProcessorRecordMetadata>().toEqualTypeOf<StreamsRecordMetadata>();
    expectTypeOf<ReturnType<ProcessorContext<unknown, unknown>['recordMetadata']>>().toEqualTypeOf<
      ProcessorRecordMetadata | undefined
    >();
    expectTypeOf<ProcessorRecordMetadata>().toHaveProperty('offset').toEqualTypeOf<number>();
    expectTypeOf<ProcessorRecordMetadata>().not.toEqualTypeOf<RecordMetadata>();
  });
});
