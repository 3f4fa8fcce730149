import { wireClientSuite } from '../shared/wire-client-suite.ts';
import { startTribServe } from './trib-serve.ts';

wireClientSuite({
  name: 'trib serve',
  async start() {
    const serve = await startTribServe();
    return { bootstrap: [serve.bootstrap], port: serve.port, stop: () => serve.dispose() };
  },
});
