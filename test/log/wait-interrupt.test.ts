import { describe, expect, it } from 'vitest';
import { openLog, WaitInterrupt } from '../../src/log/index.ts';

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('WaitInterrupt', () => {
  it('should end the wait in progress, leave later waits alone and be reusable', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    try {
      await log.createTopic({ topic: 't' });
      const interrupt = new WaitInterrupt();
      const first = log.waitForData('t', 0, 0, interrupt);
      expect(await settled(first)).toBe(false);
      interrupt.interrupt();
      expect(await settled(first)).toBe(true);
      // Unlike an aborted signal, it does not end the next wait before it starts.
      const second = log.waitForData('t', 0, 0, interrupt);
      expect(await settled(second)).toBe(false);
      await log.append('t', 0, [{ key: null, value: new Uint8Array([1]) }]);
      expect(await settled(second)).toBe(true);
      // A wait that data ended took its listener back: interrupting now is a no-op, and the
      // next wait is still interruptible.
      interrupt.interrupt();
      const third = log.waitForData('t', 0, 1, interrupt);
      expect(await settled(third)).toBe(false);
      interrupt.interrupt();
      expect(await settled(third)).toBe(true);
    } finally {
      await log.close();
    }
  });
});
