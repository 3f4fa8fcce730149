/**
 * A readiness probe that needs nothing of Tributary's: a hand-framed Metadata v1 request (no topics)
 * over a raw socket, answered with the brokers the cluster knows. The harness waits on it rather
 * than on log lines or an open port, because a KRaft broker accepts connections before it has
 * joined the quorum and registered itself.
 *
 * ```
 * Metadata v1 request    header v1 (api_key 3, version 1, correlation_id, client_id), topics: array (-1 = all; 0 = none)
 * Metadata v1 response   correlation_id, brokers [node_id int32, host string, port int32, rack nullable string],
 *                        controller_id int32, topics [...]
 * ```
 */
import { connect } from 'node:net';

export interface ProbedBroker {
  nodeId: number;
  host: string;
  port: number;
}

/** The brokers `host:port` reports, or an error if it does not answer within `timeoutMs`. */
export function probeBrokers(host: string, port: number, timeoutMs = 2_000): Promise<ProbedBroker[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(
      () => fail(new Error(`no Metadata answer from ${host}:${port} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    let received = Buffer.alloc(0);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.on('error', fail);
    socket.on('connect', () => {
      const clientId = Buffer.from('trib-probe');
      const frame = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length + 4);
      let o = frame.writeInt32BE(frame.length - 4, 0);
      o = frame.writeInt16BE(3, o);
      o = frame.writeInt16BE(1, o);
      o = frame.writeInt32BE(1, o);
      o = frame.writeInt16BE(clientId.length, o);
      o += clientId.copy(frame, o);
      frame.writeInt32BE(0, o);
      socket.write(frame);
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      clearTimeout(timer);
      socket.destroy();
      try {
        let o = 8; // size, correlation id
        const count = received.readInt32BE(o);
        o += 4;
        const brokers: ProbedBroker[] = [];
        for (let i = 0; i < count; i++) {
          const nodeId = received.readInt32BE(o);
          const hostLength = received.readInt16BE(o + 4);
          const brokerHost = received.toString('utf8', o + 6, o + 6 + hostLength);
          o += 6 + hostLength;
          const brokerPort = received.readInt32BE(o);
          o += 4;
          const rackLength = received.readInt16BE(o);
          o += 2 + Math.max(0, rackLength);
          brokers.push({ nodeId, host: brokerHost, port: brokerPort });
        }
        resolve(brokers);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}
