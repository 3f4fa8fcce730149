import type { Subject } from 'rxjs';
import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier, StreamRecord } from '../processor.ts';

/** Emits every record to a subject, synchronously, and forwards nothing: the rxjs interop node. */
export function observe<K, V>(subject: Subject<StreamRecord<K, V>>): ProcessorSupplier<K, V> {
  return operate<K, V, K, V>((record) => subject.next(record));
}
