/**
 * The Kafka wire-protocol broker: `serve()` and its options.
 *
 * @example
 * import { serve } from 'tributary';
 * const broker = await serve({ dataDir: './.tributary', port: 9092 });
 */
import type { Broker, BrokerOptions } from './server.ts';

export type { Broker, BrokerOptions } from './server.ts';
export type { BrokerListener } from './server.ts';
export type { BrokerSaslOptions, SaslMechanism } from './security/authenticator.ts';
export type { BrokerSslOptions, ListenerSpec, SecurityProtocol, SslClientAuth } from './security/listeners.ts';
export type { Endpoint } from './context.ts';

/**
 * Starts a Kafka-protocol broker over a Tributary log. Kafka clients in any language connect to it
 * as to a one-node Kafka cluster. The broker's code (every request handler and message schema) is
 * loaded on the first call, so that `import 'tributary'` stays quick for programs that never serve.
 *
 * @example
 * const broker = await serve({ dataDir: './.tributary', port: 9092 });
 * // kcat -b 127.0.0.1:9092 -L ; kafkajs: new Kafka({ brokers: ['127.0.0.1:9092'] })
 * await broker.close();
 */
export async function serve(options: BrokerOptions = {}): Promise<Broker> {
  const server = await import('./server.ts');
  return server.serve(options);
}
