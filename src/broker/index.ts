/**
 * The Kafka wire-protocol broker: `serve()` and its options.
 *
 * @example
 * import { serve } from 'tributary';
 * const broker = await serve({ dataDir: './.tributary', port: 9092 });
 */
export { type Broker, type BrokerOptions, serve } from './server.ts';
export type { Endpoint } from './context.ts';
