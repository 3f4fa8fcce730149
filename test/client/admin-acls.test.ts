import { describe, expect, it } from 'vitest';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  TributaryError,
} from '../../src/index.ts';
import { OPERATION_CODES, PATTERN_TYPE_CODES, PERMISSION_CODES, RESOURCE_TYPE_CODES } from '../../src/security/acl.ts';
import { memoryTributary } from './helpers.ts';

const filter = {
  resourceType: AclResourceTypes.TOPIC,
  resourceName: 'orders',
  resourcePatternType: ResourcePatternTypes.LITERAL,
  operation: AclOperationTypes.ANY,
  permissionType: AclPermissionTypes.ANY,
};
const binding = {
  resourceType: AclResourceTypes.TOPIC,
  resourceName: 'orders',
  resourcePatternType: ResourcePatternTypes.LITERAL,
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

describe('Admin ACL calls (embedded)', () => {
  it('kafkajs enums carry the authorizer model’s Kafka codes, member for member', () => {
    const pairs: [Record<string, unknown>, Record<string, number>][] = [
      [AclResourceTypes, RESOURCE_TYPE_CODES],
      [AclOperationTypes, OPERATION_CODES],
      [AclPermissionTypes, PERMISSION_CODES],
      [ResourcePatternTypes, PATTERN_TYPE_CODES],
    ];
    // kafkajs's members (its own set: no token operations) carry the model's code for their name.
    for (const [kafkajs, model] of pairs) {
      const names = Object.keys(kafkajs).filter(
        (k) => Number.isNaN(Number(k)) && k !== 'UNKNOWN' && k !== 'DELEGATION_TOKEN',
      );
      expect(names.length).toBeGreaterThan(2);
      for (const name of names) expect(kafkajs[name]).toBe(model[name]);
    }
  });

  it('createAcls stores, describeAcls groups by resource, deleteAcls removes; the security topic stays hidden', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    expect(await admin.createAcls({ acl: [binding, { ...binding, principal: 'User:eve' }] })).toBe(true);
    const described = await admin.describeAcls(filter);
    expect(described).toEqual({
      throttleTime: 0,
      errorCode: 0,
      errorMessage: null,
      resources: [
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: 'orders',
          resourcePatternType: ResourcePatternTypes.LITERAL,
          acls: [
            {
              principal: 'User:bob',
              host: '*',
              operation: AclOperationTypes.READ,
              permissionType: AclPermissionTypes.DENY,
            },
            {
              principal: 'User:eve',
              host: '*',
              operation: AclOperationTypes.READ,
              permissionType: AclPermissionTypes.DENY,
            },
          ],
        },
      ],
    });
    const deleted = await admin.deleteAcls({ filters: [{ ...filter, principal: 'User:bob' }] });
    expect(deleted.filterResponses[0]!.matchingAcls).toEqual([{ ...binding, errorCode: 0, errorMessage: null }]);
    expect((await admin.describeAcls(filter)).resources[0]!.acls).toHaveLength(1);
    expect(await admin.listTopics()).not.toContain('__tributary_security');
    await admin.disconnect();
    await tributary.close();
  });

  it('refuses an invalid binding with INVALID_ACL, storing none', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    expect(await codeOf(admin.createAcls({ acl: [binding, { ...binding, principal: 'bob' }] }))).toBe('INVALID_ACL');
    expect(await codeOf(admin.createAcls({ acl: [{ ...binding, operation: AclOperationTypes.ANY }] }))).toBe(
      'INVALID_ACL',
    );
    expect((await admin.describeAcls(filter)).resources).toEqual([]);
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
