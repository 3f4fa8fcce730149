/**
 * Ids are forever: the highest id ever issued outlives hard deletes, compaction of `_schemas` and
 * restarts, so bytes framed with an old id never decode with another schema.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, openLog } from '../../src/index.ts';
import { SchemaRegistry } from '../../schema-registry/registry.ts';
import { decodeRecord } from '../../schema-registry/store-records.ts';
import { address, tempDir, userV1, userV2 } from './helpers.ts';

const DAY = 24 * 3600_000;

/** The decoded records left in `_schemas`, oldest first. */
async function storedKeys(log: Awaited<ReturnType<typeof openLog>>): Promise<string[]> {
  const out: string[] = [];
  let { logStartOffset: offset, highWatermark } = log.offsets('_schemas', 0);
  while (offset < highWatermark) {
    const batch = await log.read('_schemas', 0, offset);
    for (const r of batch.records) {
      const rec = decodeRecord(r.key, r.value);
      if (rec?.key.keytype === 'SCHEMA')
        out.push(
          `${rec.key.subject}/${rec.key.version}:${rec.value === null ? 'tombstone' : (rec.value as { id: number }).id}`,
        );
      else if (rec !== undefined) out.push(rec.key.keytype);
    }
    offset = batch.nextOffset;
    highWatermark = batch.highWatermark;
  }
  return out;
}

describe('schema ids', () => {
  it('should never reissue a hard-deleted id when _schemas was compacted and the registry restarted', async () => {
    const dir = await tempDir();
    const clock = new ManualClock(1_000_000);
    try {
      let log = await openLog({ dataDir: dir.path, maintenanceIntervalMs: 0, clock });
      let registry = await SchemaRegistry.open(log);
      expect((await registry.register('a-value', { schema: userV1 })).id).toBe(1);
      expect((await registry.register('b-value', { schema: address })).id).toBe(2);
      await registry.deleteSubject('b-value');
      await registry.deleteSubject('b-value', { permanent: true });
      // Something after the tombstones, so they are not in the batch compaction never rewrites.
      await registry.setCompatibility(null, 'BACKWARD');
      await log.compact('_schemas', 0);
      clock.advance(DAY + 1); // past delete.retention.ms: the tombstones go too
      await log.compact('_schemas', 0);
      const left = await storedKeys(log);
      expect(left.filter((k) => k.startsWith('b-value'))).toEqual([]);
      await registry.close();
      await log.close();

      log = await openLog({ dataDir: dir.path, maintenanceIntervalMs: 0, clock });
      registry = await SchemaRegistry.open(log);
      expect(() => registry.getSchema(2)).toThrow();
      expect((await registry.register('c-value', { schema: userV2 })).id).toBe(3);
      await registry.close();
      await log.close();
    } finally {
      await dir.remove();
    }
  });

  it('should keep the highest id when a hard-deleted version was not the newest id', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    let registry = await SchemaRegistry.open(log);
    await registry.register('a-value', { schema: userV1 });
    await registry.register('b-value', { schema: address });
    await registry.deleteVersion('b-value', 1);
    await registry.deleteVersion('b-value', 1, { permanent: true });
    await registry.close();
    registry = await SchemaRegistry.open(log);
    expect((await registry.register('b-value', { schema: userV2 })).id).toBe(3);
    await registry.close();
    await log.close();
  });
});
