/**
 * rxjs interop, the one place rxjs is imported from. Observables here are hot and synchronous:
 * records are emitted while a task processes them, and rxjs has no back-pressure, so a subscriber
 * that does slow synchronous work slows the task (and its commits) down, while asynchronous work
 * started by a subscriber is not waited for. Buffer, sample or throttle downstream as needed.
 */
import { map, type Observable, Subject } from 'rxjs';
import type { StreamsBuilder } from './builder.ts';
import { observe } from './operators/observe.ts';
import type { StreamRecord } from './processor.ts';

/** @internal Hangs an observing node under `parent` and returns its observable. */
export function observeNode<K, V, T = StreamRecord<K, V>>(builder: StreamsBuilder, parent: string, project?: (record: StreamRecord<K, V>) => T): Observable<T> {
  const subject = new Subject<StreamRecord<K, V>>();
  builder.addProcessor(builder.names.processor('KSTREAM-OBSERVE-'), observe(subject), [parent]);
  return project === undefined ? (subject.asObservable() as unknown as Observable<T>) : subject.pipe(map(project));
}
