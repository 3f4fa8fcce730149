/**
 * Kafka's `Printed`: where `KStream.print` writes each record, as `[label]: key, value` lines.
 */
import { appendFileSync } from 'node:fs';

/** Not part of the API (not exported by src/index.ts): what a `Printed` says, for the print operator. */
export interface PrintedOptions<K, V> {
  readonly write: (line: string) => void;
  readonly label: string | undefined;
  readonly mapper: (key: K, value: V) => string;
  readonly name: string | undefined;
}

let optionsOf: <K, V>(printed: Printed<K, V>) => PrintedOptions<K, V>;

/** Not part of the API (not exported by src/index.ts): where and how a `Printed` prints. */
export function printedOptions<K, V>(printed: Printed<K, V>): PrintedOptions<K, V> {
  return optionsOf(printed);
}

/** How `KStream.print` writes records (Kafka's `Printed`). */
export class Printed<K, V> {
  readonly #options: PrintedOptions<K, V>;

  private constructor(
    write: (line: string) => void,
    label?: string,
    mapper: (key: K, value: V) => string = (k, v) => `${String(k)}, ${String(v)}`,
    name?: string,
  ) {
    this.#options = { write, label, mapper, name };
  }

  static {
    optionsOf = (printed) => printed.#options;
  }

  /**
   * Prints to standard output.
   *
   * @example
   * stream.print(Printed.toSysOut<string, number>().withLabel('counts')); // [counts]: apple, 3
   */
  static toSysOut<K, V>(): Printed<K, V> {
    return new Printed<K, V>((line) => process.stdout.write(`${line}\n`));
  }

  /** Appends to a file (created if missing), one line per record, written as it is processed. */
  static toFile<K, V>(path: string): Printed<K, V> {
    if (typeof path !== 'string' || path.length === 0) throw new TypeError('Printed.toFile needs a file path');
    return new Printed<K, V>((line) => appendFileSync(path, `${line}\n`, 'utf8'));
  }

  /** Prints to a function of yours, one line at a time (for tests and custom sinks). */
  static toLines<K, V>(write: (line: string) => void): Printed<K, V> {
    return new Printed<K, V>(write);
  }

  /** The label in front of each line; the default is the print node's name. */
  withLabel(label: string): Printed<K, V> {
    const o = this.#options;
    return new Printed(o.write, label, o.mapper, o.name);
  }

  /** What is printed after the label; the default is `key, value`. */
  withKeyValueMapper(mapper: (key: K, value: V) => string): Printed<K, V> {
    const o = this.#options;
    return new Printed(o.write, o.label, mapper, o.name);
  }

  /** Names the print node (Kafka's `Named`). */
  withName(name: string): Printed<K, V> {
    const o = this.#options;
    return new Printed(o.write, o.label, o.mapper, name);
  }
}
