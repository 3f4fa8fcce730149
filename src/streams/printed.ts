/**
 * Kafka's `Printed`: where `KStream.print` writes each record, as `[label]: key, value` lines.
 */
import { appendFileSync } from 'node:fs';

/** How `KStream.print` writes records (Kafka's `Printed`). */
export class Printed<K, V> {
  /** @internal */ readonly write: (line: string) => void;
  /** @internal */ readonly label: string | undefined;
  /** @internal */ readonly mapper: (key: K, value: V) => string;
  /** @internal */ readonly name: string | undefined;

  private constructor(
    write: (line: string) => void,
    label?: string,
    mapper: (key: K, value: V) => string = (k, v) => `${String(k)}, ${String(v)}`,
    name?: string,
  ) {
    this.write = write;
    this.label = label;
    this.mapper = mapper;
    this.name = name;
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
    return new Printed(this.write, label, this.mapper, this.name);
  }

  /** What is printed after the label; the default is `key, value`. */
  withKeyValueMapper(mapper: (key: K, value: V) => string): Printed<K, V> {
    return new Printed(this.write, this.label, mapper, this.name);
  }

  /** Names the print node (Kafka's `Named`). */
  withName(name: string): Printed<K, V> {
    return new Printed(this.write, this.label, this.mapper, name);
  }
}
