/** One comparison of a peer's test vectors: a registered schema, the schema that replaces it, and the verdict. */
export interface DiffVector<S> {
  /** What the case checks, in the peer's words. */
  readonly name: string;
  /** The registered schema: it wrote the data. */
  readonly before: S;
  /** The new schema: it must read what `before` wrote (BACKWARD). */
  readonly after: S;
  /** Protobuf: the files `before` imports by name, besides the built-in ones. */
  readonly beforeImports?: Readonly<Record<string, string>>;
  /** Protobuf: the files `after` imports by name, besides the built-in ones. */
  readonly afterImports?: Readonly<Record<string, string>>;
  /** Every difference the peer names, `TYPE path`, compatible ones included. */
  readonly changes: readonly string[];
  /** The peer's BACKWARD decision. */
  readonly compatible: boolean;
  /** Confluent's decision under its lenient JSON Schema policy, where it differs. */
  readonly lenient?: boolean;
}
