/**
 * The admin client's ACL calls over the wire: CreateAcls, DescribeAcls and DeleteAcls on any
 * broker, with kafkajs's result shapes. A broker error (SECURITY_DISABLED without an authorizer,
 * CLUSTER_AUTHORIZATION_FAILED, INVALID_REQUEST) is thrown as kafkajs throws it.
 *
 * @example
 * await aclCalls(transport).createAcls({ acl: [binding] });
 */
import { API } from '../../protocol/messages/index.ts';
import type { AclBinding, AclFilter, DeleteAclResponse, DescribeAclResponse } from '../acl.ts';
import { kafkaError } from './kafka-errors.ts';
import type { WireTransport } from './transport.ts';

const filterFields = (f: AclFilter) => ({
  resourceTypeFilter: f.resourceType,
  resourceNameFilter: f.resourceName ?? null,
  patternTypeFilter: f.resourcePatternType,
  principalFilter: f.principal ?? null,
  hostFilter: f.host ?? null,
  operation: f.operation,
  permissionType: f.permissionType,
});

export function aclCalls(transport: WireTransport) {
  const cluster = transport.cluster;
  const send = <T>(api: unknown, body: unknown) =>
    cluster.withRetry(async () => (await cluster.anyBroker()).request(api as never, body as never)) as Promise<T>;
  return {
    async createAcls(options: { acl: AclBinding[] }): Promise<boolean> {
      const res = await send<{ results: { errorCode: number; errorMessage: string | null }[] }>(API.CreateAcls, {
        creations: options.acl.map((b) => ({
          resourceType: b.resourceType,
          resourceName: b.resourceName,
          resourcePatternType: b.resourcePatternType,
          principal: b.principal,
          host: b.host,
          operation: b.operation,
          permissionType: b.permissionType,
        })),
      });
      const failed = res.results.find((r) => r.errorCode !== 0);
      if (failed !== undefined) throw kafkaError(failed.errorCode, {}, failed.errorMessage);
      return true;
    },

    async describeAcls(filter: AclFilter): Promise<DescribeAclResponse> {
      const res = await send<{
        throttleTimeMs: number;
        errorCode: number;
        errorMessage: string | null;
        resources: {
          resourceType: number;
          resourceName: string;
          patternType: number;
          acls: { principal: string; host: string; operation: number; permissionType: number }[];
        }[];
      }>(API.DescribeAcls, filterFields(filter));
      if (res.errorCode !== 0) throw kafkaError(res.errorCode, {}, res.errorMessage);
      return {
        throttleTime: res.throttleTimeMs,
        errorCode: 0,
        errorMessage: res.errorMessage,
        resources: res.resources.map((r) => ({
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          resourcePatternType: r.patternType,
          acls: r.acls.map((a) => ({ ...a })),
        })),
      };
    },

    async deleteAcls(options: { filters: AclFilter[] }): Promise<DeleteAclResponse> {
      const res = await send<{
        throttleTimeMs: number;
        filterResults: {
          errorCode: number;
          errorMessage: string | null;
          matchingAcls: {
            errorCode: number;
            errorMessage: string | null;
            resourceType: number;
            resourceName: string;
            patternType: number;
            principal: string;
            host: string;
            operation: number;
            permissionType: number;
          }[];
        }[];
      }>(API.DeleteAcls, { filters: options.filters.map(filterFields) });
      const failed = res.filterResults.find((r) => r.errorCode !== 0);
      if (failed !== undefined) throw kafkaError(failed.errorCode, {}, failed.errorMessage);
      return {
        throttleTime: res.throttleTimeMs,
        filterResponses: res.filterResults.map((f) => ({
          errorCode: f.errorCode,
          errorMessage: f.errorMessage,
          matchingAcls: f.matchingAcls.map((a) => ({
            errorCode: a.errorCode,
            errorMessage: a.errorMessage,
            resourceType: a.resourceType,
            resourceName: a.resourceName,
            resourcePatternType: a.patternType,
            principal: a.principal,
            host: a.host,
            operation: a.operation,
            permissionType: a.permissionType,
          })),
        })),
      };
    },
  };
}
