/**
 * Runs asynchronous tasks one after another. The registry's writes go through one of these, so a
 * version number or id is chosen and made durable before the next write looks at the state.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // The queue goes on whether this task failed or not; the caller sees its own outcome.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
