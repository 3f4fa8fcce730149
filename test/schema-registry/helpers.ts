/** Shared fixtures of the registry tests: schemas that evolve, and a registry on a memory log. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type LogBackend, openLog, TributaryError } from '../../src/index.ts';
import { SchemaRegistry } from '../../schema-registry/registry.ts';

export const userV1 = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'com.example',
  fields: [{ name: 'id', type: 'long' }],
});

/** v1 plus a field with a default: BACKWARD and FORWARD compatible with v1. */
export const userV2 = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'com.example',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'email', type: 'string', default: '' },
  ],
});

/** v2 without the email default and with a required name: not BACKWARD compatible with v1 or v2. */
export const userV3Required = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'com.example',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'email', type: 'string', default: '' },
    { name: 'name', type: 'string' },
  ],
});

/** v2 without `id`: BACKWARD compatible with v2 (a reader ignores extra writer fields), not FORWARD. */
export const userV3NoId = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'com.example',
  fields: [{ name: 'email', type: 'string', default: '' }],
});

export const address = JSON.stringify({
  type: 'record',
  name: 'Address',
  namespace: 'com.example',
  fields: [{ name: 'city', type: 'string' }],
});

export const customer = JSON.stringify({
  type: 'record',
  name: 'Customer',
  namespace: 'com.example',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'home', type: 'com.example.Address' },
  ],
});

export async function memoryRegistry(): Promise<{ log: LogBackend; registry: SchemaRegistry }> {
  const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  const registry = await SchemaRegistry.open(log);
  return { log, registry };
}

export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'tributary-registry-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Runs `fn`, expects it to throw a TributaryError, and returns that error. */
export function caught(fn: () => unknown): TributaryError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return err as TributaryError;
  }
  throw new Error('expected a TributaryError');
}
