/**
 * The Kafka wire-protocol broker: `serve()` and its options.
 *
 * @example
 * import { serve } from 'tributary';
 * const broker = await serve({ dataDir: './.tributary', port: 9092 });
 */
export { type Broker, type BrokerListener, type BrokerOptions, serve } from './server.ts';
export type { BrokerSaslOptions, SaslMechanism } from './security/authenticator.ts';
export type { BrokerSslOptions, ListenerSpec, SecurityProtocol, SslClientAuth } from './security/listeners.ts';
export type { Endpoint } from './context.ts';
