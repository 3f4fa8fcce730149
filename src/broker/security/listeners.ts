/**
 * Listeners as Kafka names them (`listeners=SASL_SSL://0.0.0.0:9093,PLAINTEXT://127.0.0.1:9092`):
 * a security protocol, an interface and a port each, several at once, TLS from node:tls for `SSL`
 * and `SASL_SSL`. Each listener has its own advertised endpoint (Kafka's `advertised.listeners`),
 * which Metadata and FindCoordinator hand to the clients that came in on it.
 *
 * With `ssl.client.auth=required` (or `requested` and a client that sends one), an `SSL` client's
 * principal is its certificate's subject as RFC 2253 writes it (`User:CN=alice,O=acme`), as
 * Kafka's default principal builder makes it; otherwise `User:ANONYMOUS`.
 *
 * @example
 * parseListener('SASL_SSL://0.0.0.0:9093'); // { name: 'SASL_SSL', protocol: 'SASL_SSL', host: '0.0.0.0', port: 9093 }
 */
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { TributaryError } from '../../errors.ts';
import type { Endpoint } from '../context.ts';

/** Kafka's security protocols. */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

/** One listener: its name (the protocol's, as Kafka's default map), protocol and socket address. */
export interface ListenerSpec {
  name: string;
  protocol: SecurityProtocol;
  host: string;
  port: number;
}

/** Kafka's `ssl.client.auth`. */
export type SslClientAuth = 'required' | 'requested' | 'none';

/**
 * TLS for `SSL` and `SASL_SSL` listeners: PEM certificate chain and key (inline or as files), the CA
 * client certificates must chain to, and whether clients must present one.
 */
export interface BrokerSslOptions {
  cert?: string | Buffer;
  key?: string | Buffer;
  ca?: string | Buffer | (string | Buffer)[];
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  /** The key's passphrase, if encrypted (never logged). */
  passphrase?: string;
  /** Default `none`. */
  clientAuth?: SslClientAuth;
}

/** The principal of a connection nobody authenticated (Kafka's `KafkaPrincipal.ANONYMOUS`). */
export const ANONYMOUS = 'User:ANONYMOUS';

/**
 * Parses `PROTOCOL://host:port` (host may be empty for every interface, or `[v6]`).
 *
 * @example
 * parseListener('PLAINTEXT://127.0.0.1:9092').protocol; // 'PLAINTEXT'
 */
export function parseListener(text: string): ListenerSpec {
  const match = /^([A-Za-z_]+):\/\/(\[[^\]]+\]|[^:/]*):(\d+)$/.exec(String(text).trim());
  const port = match === null ? Number.NaN : Number(match[3]);
  if (match === null || !(port >= 0 && port < 65536)) {
    throw new TributaryError('INVALID_CONFIG', `A listener is PROTOCOL://host:port, got ${JSON.stringify(text)}`);
  }
  const name = match[1]!.toUpperCase();
  if (!(SECURITY_PROTOCOLS as readonly string[]).includes(name)) {
    throw new TributaryError(
      'INVALID_CONFIG',
      `Unknown security protocol ${name} in listener ${JSON.stringify(text)}; use one of ${SECURITY_PROTOCOLS.join(', ')}`,
    );
  }
  const host = match[2]!.replace(/^\[|\]$/g, '');
  return { name, protocol: name as SecurityProtocol, host: host === '' ? '0.0.0.0' : host, port };
}

/** Checks a list of listeners: one per name and per port (0 excepted), as Kafka requires. */
export function checkListeners(listeners: readonly ListenerSpec[]): void {
  if (listeners.length === 0) throw new TributaryError('INVALID_CONFIG', 'At least one listener is needed');
  const names = new Set<string>();
  const ports = new Set<number>();
  for (const l of listeners) {
    if (names.has(l.name))
      throw new TributaryError('INVALID_CONFIG', `Each listener must have a different name: ${l.name}`);
    if (l.port !== 0 && ports.has(l.port))
      throw new TributaryError('INVALID_CONFIG', `Each listener must have a different port: ${l.port}`);
    names.add(l.name);
    ports.add(l.port);
  }
}

export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

export function usesSasl(protocol: SecurityProtocol): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
}

function pem(inline: string | Buffer | undefined, file: string | undefined, what: string): Buffer | undefined {
  if (inline !== undefined) return Buffer.isBuffer(inline) ? inline : Buffer.from(inline);
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TributaryError(
      'INVALID_CONFIG',
      `Cannot read the ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

/**
 * Opens the socket server of one listener; `onSocket` gets each connection once it is usable (after
 * the TLS handshake for TLS listeners) with the client's principal from its certificate, if any.
 */
export function createListenerServer(
  spec: ListenerSpec,
  ssl: BrokerSslOptions | undefined,
  onSocket: (socket: Socket, certificatePrincipal: string | undefined) => void,
  onTlsError: (error: Error, socket: Socket | undefined) => void,
): Server {
  if (!usesTls(spec.protocol)) return createTcpServer((socket) => onSocket(socket, undefined));
  const cert = pem(ssl?.cert, ssl?.certFile, 'ssl certificate');
  const key = pem(ssl?.key, ssl?.keyFile, 'ssl key');
  if (cert === undefined || key === undefined) {
    throw new TributaryError(
      'INVALID_CONFIG',
      `Listener ${spec.name} uses TLS: give ssl.cert and ssl.key (or their files)`,
    );
  }
  const ca = ssl?.ca !== undefined ? ssl.ca : pem(undefined, ssl?.caFile, 'ssl CA');
  const clientAuth = ssl?.clientAuth ?? 'none';
  if (!['required', 'requested', 'none'].includes(clientAuth)) {
    throw new TributaryError(
      'INVALID_CONFIG',
      `ssl client auth is required, requested or none, got ${String(clientAuth)}`,
    );
  }
  let server: Server;
  try {
    server = createTlsServer(
      {
        cert,
        key,
        ca,
        passphrase: ssl?.passphrase,
        requestCert: clientAuth !== 'none',
        // `requested`: a certificate that does not verify is refused, none at all is fine.
        rejectUnauthorized: clientAuth === 'required',
        minVersion: 'TLSv1.2',
      },
      (socket: TLSSocket) => {
        if (clientAuth === 'requested' && !socket.authorized && socket.getPeerCertificate()?.subject !== undefined) {
          onTlsError(new Error(`client certificate refused: ${String(socket.authorizationError)}`), socket);
          socket.destroy();
          return;
        }
        onSocket(socket, socket.authorized ? certificatePrincipal(socket) : undefined);
      },
    );
  } catch (err) {
    // Node's message names what is wrong with the PEM, never its content.
    throw new TributaryError('INVALID_CONFIG', `Listener ${spec.name}: bad TLS material: ${(err as Error).message}`);
  }
  server.on('tlsClientError', (err, socket) => onTlsError(err, socket));
  return server;
}

/** `User:` and the certificate subject in RFC 2253 order (most specific first), as Kafka's X500 name. */
function certificatePrincipal(socket: TLSSocket): string | undefined {
  const x509 = socket.getPeerX509Certificate();
  if (x509 === undefined) return undefined;
  const rdns = x509.subject.split('\n').filter((s) => s !== '');
  return `User:${rdns
    .reverse()
    .map((rdn) => rdn.replace(/([,+"\\<>;])/g, '\\$1'))
    .join(',')}`;
}

/** Listens; rejects with CONNECTION_ERROR. */
export function listen(server: Server, spec: ListenerSpec): Promise<Endpoint> {
  return new Promise<Endpoint>((resolve, reject) => {
    const failed = (err: Error) =>
      reject(
        new TributaryError('CONNECTION_ERROR', `Cannot listen on ${spec.host}:${spec.port}: ${err.message}`, {
          cause: err,
        }),
      );
    server.once('error', failed);
    server.listen(spec.port, spec.host, () => {
      server.off('error', failed);
      const bound = server.address();
      resolve({ host: spec.host, port: typeof bound === 'object' && bound !== null ? bound.port : spec.port });
    });
  });
}
