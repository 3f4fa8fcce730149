/**
 * rxjs interop, the one place the DSL uses rxjs (loaded on first use by `../rxjs.ts`). Observables
 * here are hot and synchronous: records are emitted while a task processes them, and rxjs has no
 * back-pressure, so a subscriber that does slow synchronous work slows the task (and its commits)
 * down, while asynchronous work started by a subscriber is not waited for. Buffer, sample or
 * throttle downstream as needed.
 */
import type { Observable } from 'rxjs';
import { rxjs } from '../rxjs.ts';
import type { DslBuilder } from './internal/dsl.ts';
import { observe } from './operators/observe.ts';
import type { StreamRecord } from './processor.ts';

/** @internal Hangs an observing node under `parent` and returns its observable. */
export function observeNode<K, V, T = StreamRecord<K, V>>(
  builder: DslBuilder,
  parent: string,
  project?: (record: StreamRecord<K, V>) => T,
): Observable<T> {
  const { Subject, map } = rxjs();
  const subject = new Subject<StreamRecord<K, V>>();
  builder.addProcessor(builder.names.processor('KSTREAM-OBSERVE-'), observe(subject), [parent]);
  return project === undefined ? (subject.asObservable() as unknown as Observable<T>) : subject.pipe(map(project));
}
