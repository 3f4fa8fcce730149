import { wireClientSuite } from '../shared/wire-client-suite.ts';
import { startKafka } from './cluster.ts';

wireClientSuite({
  name: 'Apache Kafka',
  async start() {
    const kafka = await startKafka({ nodes: 1 });
    console.log(
      `Kafka ${kafka.version}: download ${kafka.timings.downloadMs} ms, format ${kafka.timings.formatMs} ms, ready ${kafka.timings.readyMs} ms`,
    );
    return { bootstrap: kafka.bootstrap, port: kafka.nodes[0]!.port, stop: () => kafka.stop() };
  },
});
