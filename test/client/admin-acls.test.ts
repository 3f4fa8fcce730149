import { describe, expect, it } from 'vitest';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  TributaryError,
} from '../../src/index.ts';
import { memoryTributary } from './helpers.ts';

const filter = {
  resourceType: AclResourceTypes.TOPIC,
  resourceName: 'orders',
  resourcePatternType: ResourcePatternTypes.LITERAL,
  operation: AclOperationTypes.ANY,
  permissionType: AclPermissionTypes.ALLOW,
};
const binding = {
  ...filter,
  principal: 'User:bob',
  host: '*',
  operation: AclOperationTypes.READ,
  permissionType: AclPermissionTypes.DENY,
};

async function codeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return (err as TributaryError).code;
  }
  return undefined;
}

describe('Admin ACL calls', () => {
  it('should refuse describeAcls, createAcls and deleteAcls with UNSUPPORTED_OPERATION when no authorizer exists', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    expect(await codeOf(admin.describeAcls(filter))).toBe('UNSUPPORTED_OPERATION');
    expect(await codeOf(admin.createAcls({ acl: [binding] }))).toBe('UNSUPPORTED_OPERATION');
    expect(await codeOf(admin.deleteAcls({ filters: [filter] }))).toBe('UNSUPPORTED_OPERATION');
    // Nothing was kept: a producer is still allowed to write to the topic the DENY binding named.
    const producer = tributary.producer();
    await producer.connect();
    const [meta] = await producer.send({ topic: 'orders', messages: [{ value: 'allowed' }] });
    expect(meta!.errorCode).toBe(0);
    await producer.disconnect();
    await admin.disconnect();
    await tributary.close();
  });

  it('should refuse the ACL calls with CLIENT_NOT_CONNECTED when the admin is not connected', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    expect(await codeOf(admin.describeAcls(filter))).toBe('CLIENT_NOT_CONNECTED');
    await tributary.close();
  });
});
