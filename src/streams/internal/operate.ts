import type { ProcessorContext, ProcessorSupplier, StreamRecord } from '../processor.ts';

/**
 * The helper every stateless operator is written with (as rxjs's `operate()`): a function of the
 * record and the node's context, wrapped into a processor supplier.
 */
export function operate<KIn, VIn, KOut, VOut>(
  body: (record: StreamRecord<KIn, VIn>, ctx: ProcessorContext<KOut, VOut>) => void,
): ProcessorSupplier<KIn, VIn, KOut, VOut> {
  return () => {
    let ctx: ProcessorContext<KOut, VOut>;
    return {
      init(c) {
        ctx = c;
      },
      process(record) {
        body(record, ctx);
      },
    };
  };
}
