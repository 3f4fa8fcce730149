/** kafkajs-shaped instrumentation events: `client.on(client.events.X, listener)`. */

/** An instrumentation event as kafkajs emits it. */
export interface InstrumentationEvent<T> {
  /** A number from one counter of the process, as kafkajs's (its typings say string; its events carry numbers). */
  id: number;
  type: string;
  timestamp: number;
  payload: T;
}

let eventId = 0;
/** The next id of the process's events, from 0, as kafkajs numbers them. */
function nextEventId(): number {
  if (eventId === Number.MAX_SAFE_INTEGER) eventId = 0;
  return eventId++;
}

/** Call it to remove the listener. */
export type RemoveInstrumentationEventListener = () => void;

/** Emits events of a fixed set of names to listeners, never letting a listener break the client. */
export class InstrumentationEmitter<Names extends string> {
  readonly #listeners = new Map<string, Set<(event: InstrumentationEvent<unknown>) => void>>();
  readonly #known: ReadonlySet<string>;
  readonly #now: () => number;

  constructor(names: Iterable<Names>, now: () => number) {
    this.#known = new Set(names);
    this.#now = now;
  }

  on(name: Names, listener: (event: InstrumentationEvent<never>) => void): RemoveInstrumentationEventListener {
    if (!this.#known.has(name)) {
      throw new TypeError(`Event name should be one of ${[...this.#known].join(', ')}; got ${String(name)}`);
    }
    let set = this.#listeners.get(name);
    if (set === undefined) this.#listeners.set(name, (set = new Set()));
    const fn = listener as (event: InstrumentationEvent<unknown>) => void;
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  /** True when someone listens: lets hot paths skip building payloads. */
  has(name: Names): boolean {
    return (this.#listeners.get(name)?.size ?? 0) > 0;
  }

  emit(name: Names, payload: unknown): void {
    const set = this.#listeners.get(name);
    if (set === undefined || set.size === 0) return;
    const event: InstrumentationEvent<unknown> = { id: nextEventId(), type: name, timestamp: this.#now(), payload };
    for (const listener of set) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the client goes on.
      }
    }
  }
}
