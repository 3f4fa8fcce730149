/** Generates node and store names as Kafka does: `<PREFIX><index as 10 digits>`, one counter for both. */
export class NameGenerator {
  #index = 0;

  processor(prefix: string): string {
    return prefix + String(this.#index++).padStart(10, '0');
  }

  store(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.#index++).padStart(10, '0')}`;
  }
}
