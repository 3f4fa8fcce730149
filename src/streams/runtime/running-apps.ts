/**
 * The Kafka Streams applications running in this process, for tools in the same process to find:
 * the web console (`trib serve --console`, `startConsole`) lists every app running on its log or
 * its Tributary without being told about each. An app is listed from `start()` until `close()`.
 *
 * @example
 * const mine = runningStreamsApps().filter((app) => app.runsOn().includes(log));
 */
import type { KafkaStreams } from '../kafka-streams.ts';
import type { Topology } from '../topology.ts';

/** A running application and what it runs on. */
export interface RunningStreamsApp {
  readonly applicationId: string;
  readonly topology: Topology;
  readonly streams: KafkaStreams;
  /** The objects it runs on: the log it was given or opened, and the Tributary it was given. */
  runsOn(): readonly unknown[];
}

const running = new Set<RunningStreamsApp>();

/** Lists `app` until the returned function is called. */
export function announceStreamsApp(app: RunningStreamsApp): () => void {
  running.add(app);
  return () => {
    running.delete(app);
  };
}

/** The applications running in this process now. */
export function runningStreamsApps(): RunningStreamsApp[] {
  return [...running];
}
