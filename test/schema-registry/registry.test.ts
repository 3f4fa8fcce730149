import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LogBackend, openLog, TributaryError } from '../../src/index.ts';
import { SchemaRegistry } from '../../schema-registry/registry.ts';
import { decodeRecord } from '../../schema-registry/store-records.ts';
import { address, customer, memoryRegistry, tempDir, userV1, userV2, userV3NoId, userV3Required } from './helpers.ts';

function record(fields: Record<string, string>): string {
  return JSON.stringify({
    type: 'record',
    name: 'T',
    fields: Object.entries(fields).map(([name, type]) => ({ name, type })),
  });
}

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<TributaryError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return err as TributaryError;
  }
  throw new Error('expected a TributaryError');
}

describe('SchemaRegistry', () => {
  let log: LogBackend;
  let registry: SchemaRegistry;

  beforeEach(async () => {
    ({ log, registry } = await memoryRegistry());
  });

  afterEach(async () => {
    await registry.close();
    await log.close();
  });

  describe('ids and versions', () => {
    it('should number versions 1, 2… per subject when schemas are registered', async () => {
      expect(await registry.register('users-value', { schema: userV1 })).toEqual({ id: 1, version: 1, created: true });
      expect(await registry.register('users-value', { schema: userV2 })).toEqual({ id: 2, version: 2, created: true });
      expect(registry.versions('users-value')).toEqual([1, 2]);
      expect(registry.getVersion('users-value', 'latest')).toMatchObject({ version: 2, id: 2, schema: userV2 });
    });

    it('should return the existing version when the identical schema is registered again', async () => {
      await registry.register('users-value', { schema: userV1 });
      const spaced = JSON.stringify(JSON.parse(userV1), null, 2);
      expect(await registry.register('users-value', { schema: spaced })).toEqual({ id: 1, version: 1, created: false });
      expect(registry.versions('users-value')).toEqual([1]);
    });

    it('should give the same id in every subject when the canonical form is the same', async () => {
      const a = await registry.register('a-value', { schema: userV1 });
      const b = await registry.register('b-value', { schema: JSON.stringify(JSON.parse(userV1), null, 1) });
      expect(b.id).toBe(a.id);
      expect(b.version).toBe(1);
      expect(registry.usagesOf(a.id).map((u) => u.subject)).toEqual(['a-value', 'b-value']);
    });

    it('should refuse an unparseable schema with INVALID_SCHEMA when registering', async () => {
      expect((await rejection(registry.register('x', { schema: '{"type":"recrd"}' }))).code).toBe('INVALID_SCHEMA');
      expect((await rejection(registry.register('x', { schema: '' }))).code).toBe('INVALID_SCHEMA');
      expect((await rejection(registry.register('x', { schema: userV1, schemaType: 'XML' as never }))).code).toBe(
        'INVALID_SCHEMA',
      );
    });

    it('should find the version holding a schema when looked up', async () => {
      await registry.register('users-value', { schema: userV1 });
      await registry.register('users-value', { schema: userV2 });
      expect(registry.lookup('users-value', { schema: userV1 })).toMatchObject({ version: 1, id: 1 });
      expect((await rejection(() => registry.lookup('users-value', { schema: address }))).code).toBe(
        'SCHEMA_NOT_FOUND',
      );
      expect((await rejection(() => registry.lookup('nobody', { schema: userV1 }))).code).toBe('SUBJECT_NOT_FOUND');
    });

    it('should raise SUBJECT_NOT_FOUND, VERSION_NOT_FOUND and SCHEMA_NOT_FOUND when nothing matches', async () => {
      await registry.register('users-value', { schema: userV1 });
      expect((await rejection(() => registry.getVersion('nobody', 1))).code).toBe('SUBJECT_NOT_FOUND');
      expect((await rejection(() => registry.getVersion('users-value', 7))).code).toBe('VERSION_NOT_FOUND');
      expect((await rejection(() => registry.getSchema(99))).code).toBe('SCHEMA_NOT_FOUND');
    });
  });

  describe('compatibility', () => {
    it('should refuse a BACKWARD-incompatible schema with INCOMPATIBLE_SCHEMA when the default level applies', async () => {
      await registry.register('users-value', { schema: userV1 });
      const err = await rejection(registry.register('users-value', { schema: userV3Required }));
      expect(err.code).toBe('INCOMPATIBLE_SCHEMA');
      expect(String((err.context['messages'] as string[])[0])).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
      expect(registry.versions('users-value')).toEqual([1]);
    });

    it('should check only the latest live version when the level is not transitive', async () => {
      await registry.setCompatibility('t-value', 'NONE');
      await registry.register('t-value', { schema: record({ x: 'string' }) });
      await registry.register('t-value', { schema: record({ x: 'int' }) });
      await registry.setCompatibility('t-value', 'BACKWARD');
      // long reads int (promotion); the string of version 1 is not looked at.
      expect(registry.testCompatibility('t-value', { schema: record({ x: 'long' }) }).isCompatible).toBe(true);
    });

    it('should check every live version when the level is transitive', async () => {
      await registry.setCompatibility('t-value', 'NONE');
      await registry.register('t-value', { schema: record({ x: 'string' }) });
      await registry.register('t-value', { schema: record({ x: 'int' }) });
      await registry.setCompatibility('t-value', 'BACKWARD_TRANSITIVE');
      const result = registry.testCompatibility('t-value', { schema: record({ x: 'long' }) });
      expect(result.isCompatible).toBe(false);
      expect(result.messages).toContain('{oldSchemaVersion: 1}');
      expect(result.messages).not.toContain('{oldSchemaVersion: 2}');
      // Soft-deleted versions are not checked.
      await registry.deleteVersion('t-value', 1);
      expect(registry.testCompatibility('t-value', { schema: record({ x: 'long' }) }).isCompatible).toBe(true);
    });

    it('should check one version in the level direction when a version is named', async () => {
      await registry.setCompatibility('t-value', 'NONE');
      await registry.register('t-value', { schema: record({ x: 'string' }) });
      await registry.register('t-value', { schema: record({ x: 'int' }) });
      await registry.setCompatibility('t-value', 'BACKWARD');
      expect(registry.testCompatibility('t-value', { schema: record({ x: 'long' }) }, 1).isCompatible).toBe(false);
      expect(registry.testCompatibility('t-value', { schema: record({ x: 'long' }) }, 'latest').isCompatible).toBe(
        true,
      );
    });

    it.each([
      ['NONE', userV3Required, true],
      ['BACKWARD', userV2, true],
      ['BACKWARD', userV3Required, false],
      ['FORWARD', userV3NoId, false],
      ['FORWARD', userV2, true],
      ['FULL', userV2, true],
      ['FULL', userV3NoId, false],
      ['FULL_TRANSITIVE', userV3Required, false],
    ] as const)('should judge %s against v1 as expected when testing', async (level, candidate, compatible) => {
      await registry.register('users-value', { schema: userV1 });
      await registry.setCompatibility('users-value', level);
      expect(registry.testCompatibility('users-value', { schema: candidate }).isCompatible).toBe(compatible);
    });

    it('should use the global level when the subject has none and report 40408 for the subject', async () => {
      expect(registry.getCompatibility(null)).toBe('BACKWARD');
      await registry.setCompatibility(null, 'NONE');
      await registry.register('users-value', { schema: userV1 });
      expect((await registry.register('users-value', { schema: userV3Required })).version).toBe(2);
      expect((await rejection(() => registry.getCompatibility('users-value'))).code).toBe(
        'SUBJECT_COMPATIBILITY_NOT_CONFIGURED',
      );
      expect(registry.getCompatibility('users-value', { defaultToGlobal: true })).toBe('NONE');
      expect(await registry.deleteCompatibility(null)).toBe('NONE');
      expect(registry.getCompatibility(null)).toBe('BACKWARD');
    });

    it('should raise INVALID_COMPATIBILITY_LEVEL when the level is unknown', async () => {
      expect((await rejection(registry.setCompatibility(null, 'SIDEWAYS'))).code).toBe('INVALID_COMPATIBILITY_LEVEL');
    });
  });

  describe('modes', () => {
    it('should refuse registrations and deletes with OPERATION_NOT_PERMITTED when READONLY', async () => {
      await registry.register('users-value', { schema: userV1 });
      await registry.setMode('users-value', 'READONLY');
      expect((await rejection(registry.register('users-value', { schema: userV2 }))).code).toBe(
        'OPERATION_NOT_PERMITTED',
      );
      expect((await rejection(registry.deleteSubject('users-value'))).code).toBe('OPERATION_NOT_PERMITTED');
      expect(await registry.register('other-value', { schema: userV2 })).toMatchObject({ version: 1 });
    });

    it('should register with the given id and version when in IMPORT mode', async () => {
      await registry.setMode(null, 'IMPORT');
      expect(await registry.register('users-value', { schema: userV1 }, { id: 42, version: 3 })).toEqual({
        id: 42,
        version: 3,
        created: true,
      });
      expect(registry.getSchema(42).schema).toBe(userV1);
      expect((await rejection(registry.register('users-value', { schema: userV2 }, { id: 42 }))).code).toBe(
        'OPERATION_NOT_PERMITTED',
      );
      await registry.setMode(null, 'READWRITE');
      // New ids continue after the imported ones.
      expect((await registry.register('users-value', { schema: userV2 })).id).toBe(43);
    });

    it('should refuse an id when not in IMPORT mode and IMPORT when the registry is busy without force', async () => {
      await registry.register('users-value', { schema: userV1 });
      expect((await rejection(registry.register('users-value', { schema: userV2 }, { id: 9 }))).code).toBe(
        'OPERATION_NOT_PERMITTED',
      );
      expect((await rejection(registry.setMode(null, 'IMPORT'))).code).toBe('OPERATION_NOT_PERMITTED');
      expect(await registry.setMode(null, 'IMPORT', { force: true })).toBe('IMPORT');
      expect((await rejection(registry.setMode(null, 'WRITEONLY'))).code).toBe('INVALID_MODE');
      expect((await rejection(() => registry.getMode('users-value'))).code).toBe('SUBJECT_MODE_NOT_CONFIGURED');
    });
  });

  describe('references', () => {
    it('should resolve a reference to another subject when registering', async () => {
      await registry.register('address', { schema: address });
      const reg = await registry.register('customers-value', {
        schema: customer,
        references: [{ name: 'com.example.Address', subject: 'address', version: 1 }],
      });
      expect(reg.version).toBe(1);
      expect(registry.referencedBy('address', 1)).toEqual([reg.id]);
    });

    it('should raise INVALID_SCHEMA when a reference names a missing version', async () => {
      const err = await rejection(
        registry.register('customers-value', {
          schema: customer,
          references: [{ name: 'com.example.Address', subject: 'address', version: 1 }],
        }),
      );
      expect(err.code).toBe('INVALID_SCHEMA');
    });

    it('should raise REFERENCE_EXISTS when a referenced schema is deleted', async () => {
      await registry.register('address', { schema: address });
      await registry.register('customers-value', {
        schema: customer,
        references: [{ name: 'com.example.Address', subject: 'address', version: 1 }],
      });
      expect((await rejection(registry.deleteVersion('address', 1))).code).toBe('REFERENCE_EXISTS');
      await registry.deleteSubject('customers-value');
      await registry.deleteVersion('address', 1);
      // Still referenced by the soft-deleted customer: no hard delete.
      expect((await rejection(registry.deleteVersion('address', 1, { permanent: true }))).code).toBe(
        'REFERENCE_EXISTS',
      );
      await registry.deleteSubject('customers-value', { permanent: true });
      expect(await registry.deleteVersion('address', 1, { permanent: true })).toBe(1);
    });
  });

  describe('deletes', () => {
    it('should hide a version from listings but keep it readable by id when it is soft-deleted', async () => {
      await registry.register('users-value', { schema: userV1 });
      await registry.register('users-value', { schema: userV2 });
      expect(await registry.deleteVersion('users-value', 1)).toBe(1);
      expect(registry.versions('users-value')).toEqual([2]);
      expect(registry.versions('users-value', { deleted: true })).toEqual([1, 2]);
      expect(registry.getSchema(1).schema).toBe(userV1);
      expect((await rejection(() => registry.getVersion('users-value', 1))).code).toBe('VERSION_NOT_FOUND');
      expect(registry.getVersion('users-value', 1, { deleted: true }).deleted).toBe(true);
      expect((await rejection(registry.deleteVersion('users-value', 1))).code).toBe('SCHEMA_VERSION_SOFT_DELETED');
    });

    it('should hard-delete only when a soft delete came first', async () => {
      await registry.register('users-value', { schema: userV1 });
      expect((await rejection(registry.deleteVersion('users-value', 1, { permanent: true }))).code).toBe(
        'SCHEMA_VERSION_NOT_SOFT_DELETED',
      );
      expect((await rejection(registry.deleteSubject('users-value', { permanent: true }))).code).toBe(
        'SUBJECT_NOT_SOFT_DELETED',
      );
      expect(await registry.deleteSubject('users-value')).toEqual([1]);
      expect((await rejection(registry.deleteSubject('users-value'))).code).toBe('SUBJECT_SOFT_DELETED');
      expect(registry.subjects()).toEqual([]);
      expect(registry.subjects({ deleted: true })).toEqual(['users-value']);
      expect(await registry.deleteSubject('users-value', { permanent: true })).toEqual([1]);
      expect(registry.subjects({ deleted: true })).toEqual([]);
      expect((await rejection(() => registry.getSchema(1))).code).toBe('SCHEMA_NOT_FOUND');
    });

    it('should continue version numbers after a soft-deleted subject when registering again', async () => {
      await registry.register('users-value', { schema: userV1 });
      await registry.deleteSubject('users-value');
      expect(await registry.register('users-value', { schema: userV1 })).toMatchObject({
        id: 1,
        version: 2,
        created: true,
      });
    });
  });

  describe('the _schemas topic', () => {
    it("should write Confluent's key and value JSON when registering", async () => {
      await registry.register('users-value', { schema: userV1 });
      await registry.setCompatibility(null, 'FULL');
      await registry.setMode('users-value', 'READONLY');
      const { records } = await log.read('_schemas', 0, 0);
      const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
      expect(records.map((r) => text(r.key))).toEqual([
        '{"keytype":"SCHEMA","subject":"users-value","version":1,"magic":1}',
        '{"keytype":"CONFIG","magic":0}',
        '{"keytype":"MODE","subject":"users-value","magic":0}',
      ]);
      expect(JSON.parse(text(records[0]!.value)!)).toEqual({
        subject: 'users-value',
        version: 1,
        id: 1,
        schema: userV1,
        deleted: false,
      });
      expect(JSON.parse(text(records[1]!.value)!)).toEqual({ compatibilityLevel: 'FULL' });
      expect(JSON.parse(text(records[2]!.value)!)).toEqual({ subject: 'users-value', mode: 'READONLY' });
      expect((await log.describeTopic('_schemas')).configs['cleanup.policy']).toBe('compact');
    });

    it('should skip keytypes it does not know when decoding records that Confluent wrote', () => {
      const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
      expect(decodeRecord(enc({ keytype: 'CONTEXT', tenant: 'x', magic: 0 }), enc({}))).toBeUndefined();
      expect(decodeRecord(enc({ keytype: 'SCHEMA', subject: 's', version: 1, magic: 1 }), null)).toEqual({
        key: { keytype: 'SCHEMA', subject: 's', version: 1 },
        value: null,
      });
      expect(
        decodeRecord(enc({ keytype: 'DELETE_SUBJECT', subject: 's', magic: 0 }), enc({ subject: 's', version: 3 }))
          ?.value,
      ).toEqual({
        subject: 's',
        version: 3,
      });
    });
  });
});

describe('SchemaRegistry writes', () => {
  it('should leave memory unchanged and raise REGISTRY_STORE_ERROR when the log refuses the write', async () => {
    const { log, registry } = await memoryRegistry();
    await registry.register('users-value', { schema: userV1 });
    await log.close();
    const err = await rejection(registry.register('users-value', { schema: userV2 }));
    expect(err.code).toBe('REGISTRY_STORE_ERROR');
    expect(registry.versions('users-value')).toEqual([1]);
    expect(() => registry.getSchema(2)).toThrow(TributaryError);
  });

  it('should give sequential versions and shared ids when registrations race', async () => {
    const { log, registry } = await memoryRegistry();
    await registry.setCompatibility(null, 'NONE');
    const schemas = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ type: 'record', name: 'R', fields: [{ name: `f${i}`, type: 'int' }] }),
    );
    const results = await Promise.all([
      ...schemas.map((schema) => registry.register('race-value', { schema })),
      ...schemas.map((schema) => registry.register('other-value', { schema })),
    ]);
    expect(results.slice(0, 20).map((r) => r.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(results.slice(20).map((r) => r.id)).toEqual(results.slice(0, 20).map((r) => r.id));
    await registry.close();
    await log.close();
  });

  it('should soft-delete versions when replaying a DELETE_SUBJECT record that Confluent wrote', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: '_schemas', configs: { 'cleanup.policy': 'compact' } });
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    await log.append('_schemas', 0, [
      { key: enc({ keytype: 'NOOP', magic: 0 }), value: null },
      {
        key: enc({ keytype: 'SCHEMA', subject: 's', version: 1, magic: 1 }),
        value: enc({ subject: 's', version: 1, id: 5, schema: userV1, deleted: false }),
      },
      {
        key: enc({ keytype: 'SCHEMA', subject: 's', version: 2, magic: 1 }),
        value: enc({ subject: 's', version: 2, id: 6, schema: userV2, deleted: false }),
      },
      { key: enc({ keytype: 'DELETE_SUBJECT', subject: 's', magic: 0 }), value: enc({ subject: 's', version: 2 }) },
      { key: enc({ keytype: 'CONFIG', magic: 0 }), value: enc({ compatibilityLevel: 'FULL' }) },
      { key: enc({ keytype: 'CONTEXT', tenant: 'default', context: '.', magic: 0 }), value: enc({}) },
    ]);
    const registry = await SchemaRegistry.open(log);
    expect(registry.subjects()).toEqual([]);
    expect(registry.versions('s', { deleted: true })).toEqual([1, 2]);
    expect(registry.getCompatibility(null)).toBe('FULL');
    expect((await registry.register('t', { schema: userV2 })).id).toBe(6);
    expect((await registry.register('t2', { schema: address })).id).toBe(7);
    await registry.close();
    await log.close();
  });
});

describe('SchemaRegistry restart', () => {
  it('should rebuild every subject, id, config, mode and delete when the LevelDB log is reopened', async () => {
    const dir = await tempDir();
    try {
      let log = await openLog({ dataDir: dir.path, maintenanceIntervalMs: 0 });
      let registry = await SchemaRegistry.open(log);
      await registry.register('users-value', { schema: userV1 });
      await registry.register('users-value', { schema: userV2 });
      await registry.register('other-value', { schema: userV1 });
      await registry.register('address', { schema: address });
      await registry.register('customers-value', {
        schema: customer,
        references: [{ name: 'com.example.Address', subject: 'address', version: 1 }],
      });
      await registry.deleteVersion('users-value', 1);
      await registry.register('gone', { schema: userV3NoId });
      await registry.deleteSubject('gone');
      await registry.deleteSubject('gone', { permanent: true });
      await registry.setCompatibility(null, 'FULL_TRANSITIVE');
      await registry.setCompatibility('users-value', 'NONE');
      await registry.setMode('other-value', 'READONLY');
      await registry.close();
      await log.close();

      log = await openLog({ dataDir: dir.path, maintenanceIntervalMs: 0 });
      registry = await SchemaRegistry.open(log);
      expect(registry.subjects()).toEqual(['address', 'customers-value', 'other-value', 'users-value']);
      expect(registry.versions('users-value')).toEqual([2]);
      expect(registry.versions('users-value', { deleted: true })).toEqual([1, 2]);
      expect(registry.getSchema(1).schema).toBe(userV1);
      expect(registry.usagesOf(1, { deleted: true }).map((u) => `${u.subject}/${u.version}`)).toEqual([
        'other-value/1',
        'users-value/1',
      ]);
      expect(registry.getCompatibility(null)).toBe('FULL_TRANSITIVE');
      expect(registry.getCompatibility('users-value')).toBe('NONE');
      expect(registry.getMode('other-value')).toBe('READONLY');
      expect(registry.referencedBy('address', 1)).toEqual([registry.getVersion('customers-value', 1).id]);
      expect(registry.subjects({ deleted: true })).not.toContain('gone');
      // Identity survives: the same schema maps to its old id, a new one gets the next id.
      expect((await registry.register('third-value', { schema: userV2 })).id).toBe(2);
      const fresh = await registry.register('fourth-value', { schema: userV3Required });
      expect(fresh.id).toBeGreaterThan(4);
      await registry.close();
      await log.close();
    } finally {
      await dir.remove();
    }
  });
});
