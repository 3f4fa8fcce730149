import type { KStream } from './kstream.ts';
import { kstreamBranch } from './operators/branch.ts';
import { passThrough } from './operators/passthrough.ts';
import type { Branched } from './options.ts';
import { streamDef } from './kstream.ts';

/**
 * The result of `stream.split()` (Kafka's `BranchedKStream`): add branches in order, then end with
 * `defaultBranch()` or `noDefaultBranch()`, which return the branches by name. A branch's name is
 * the split's name followed by the branch's name, or by its position from 1 (the default: 0).
 */
export class BranchedKStream<K, V> {
  readonly #stream: KStream<K, V>;
  readonly #splitName: string;
  readonly #predicates: ((key: K, value: V) => boolean)[] = [];
  readonly #children: string[] = [];
  #defaultChild: string | undefined;
  readonly #result = new Map<string, KStream<K, V>>();

  /** @internal */
  constructor(stream: KStream<K, V>, name: string | undefined) {
    this.#stream = stream;
    this.#splitName = name ?? streamDef(stream).builder.names.processor('KSTREAM-BRANCH-');
    const predicates = this.#predicates;
    const children = this.#children;
    // The branch processor reads the lists when it runs, after every branch has been added.
    streamDef(stream).builder.addProcessor(
      this.#splitName,
      () => kstreamBranch(predicates, children, this.#defaultChild)(),
      [streamDef(stream).nodeName],
    );
  }

  /** Records matching `predicate` (and no earlier branch) go to this branch. */
  branch(predicate: (key: K, value: V) => boolean, branched: Branched<K, V> = {}): this {
    const name = this.#add(branched, String(this.#predicates.length + 1));
    this.#predicates.push(predicate);
    this.#children.push(name);
    return this;
  }

  /** Records matching no branch go here; returns every branch by name. */
  defaultBranch(branched: Branched<K, V> = {}): Map<string, KStream<K, V>> {
    this.#defaultChild = this.#add(branched, '0');
    return this.#result;
  }

  /** Records matching no branch are dropped; returns every branch by name. */
  noDefaultBranch(): Map<string, KStream<K, V>> {
    return this.#result;
  }

  #add(branched: Branched<K, V>, position: string): string {
    const name = this.#splitName + (branched.name ?? position);
    const b = streamDef(this.#stream).builder;
    b.addProcessor(name, passThrough(), [this.#splitName]);
    const branch = new (this.#stream.constructor as typeof KStream)<K, V>(
      b,
      name,
      streamDef(this.#stream).keySerde,
      streamDef(this.#stream).valueSerde,
      streamDef(this.#stream).repartitionRequired,
    );
    if (branched.withConsumer !== undefined) branched.withConsumer(branch);
    else if (branched.withFunction !== undefined) {
      // As Kafka's: a function that returns null adds no entry (undefined keeps the branch itself).
      const result = branched.withFunction(branch);
      if (result !== null) this.#result.set(name, result ?? branch);
    } else this.#result.set(name, branch);
    return name;
  }
}
