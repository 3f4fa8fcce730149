/**
 * `trib acls add|list|remove`: the broker's ACLs, kept in the data directory's hidden security
 * topic, with kafka-acls.sh's flags (`--allow-principal`, `--operation`, `--topic`, `--group`,
 * `--cluster`, `--transactional-id`, `--resource-pattern-type`).
 *
 * @example
 * trib acls add --allow-principal User:bob --operation Read --operation Describe --topic orders- --resource-pattern-type prefixed
 */
import { SecurityStore } from '../../security/store.ts';
import {
  ACL_FILTER_ANY,
  type AclBinding,
  type AclBindingFilter,
  type AclOperation,
  CLUSTER_RESOURCE_NAME,
  OPERATION_CODES,
  type PatternType,
  type ResourceType,
} from '../../security/acl.ts';
import { type CliIo, commandGroup, parse, UsageError, write } from '../command.ts';
import { withLog } from '../cluster.ts';
import { LOG_OPTIONS_HELP, logOptions } from '../data-dir.ts';

const WHERE = {
  command: 'acls',
  instead:
    'Over the wire, use kafka-acls.sh or the admin API (createAcls, describeAcls, deleteAcls) against the broker.',
};

const USAGE = `Usage: trib acls <command> [options]

Kafka ACLs the broker checks when it runs with --authorizer, stored in the log.

Commands:
  add      (--allow-principal P | --deny-principal P)... --operation OP... RESOURCE...
  list     [RESOURCE...] [--principal P] [--json]
  remove   RESOURCE... [--allow-principal P | --deny-principal P]... [--operation OP]...

Resources (repeatable):
  --topic NAME  --group NAME  --transactional-id NAME  --cluster
  --resource-pattern-type literal|prefixed   (list and remove also: any|match; default literal, list any)

Options:
  --allow-principal P   e.g. User:alice (User:* for every user)
  --deny-principal P
  --allow-host H / --deny-host H   the client address the ACL applies to (default *)
  --operation OP        All, Read, Write, Create, Delete, Alter, Describe, ClusterAction,
                        DescribeConfigs, AlterConfigs, IdempotentWrite
  --principal P         (list) only ACLs of this principal
${LOG_OPTIONS_HELP}
  -h, --help            show help
`;

const OPTIONS = {
  ...logOptions,
  topic: { type: 'string', multiple: true },
  group: { type: 'string', multiple: true },
  'transactional-id': { type: 'string', multiple: true },
  cluster: { type: 'boolean' },
  'resource-pattern-type': { type: 'string' },
  'allow-principal': { type: 'string', multiple: true },
  'deny-principal': { type: 'string', multiple: true },
  'allow-host': { type: 'string', multiple: true },
  'deny-host': { type: 'string', multiple: true },
  operation: { type: 'string', multiple: true },
  principal: { type: 'string' },
  json: { type: 'boolean', short: 'J' },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

function resources(values: Values): { type: ResourceType; name: string }[] {
  return [
    ...(values.topic ?? []).map((name) => ({ type: 'TOPIC' as const, name })),
    ...(values.group ?? []).map((name) => ({ type: 'GROUP' as const, name })),
    ...(values['transactional-id'] ?? []).map((name) => ({ type: 'TRANSACTIONAL_ID' as const, name })),
    ...(values.cluster === true ? [{ type: 'CLUSTER' as const, name: CLUSTER_RESOURCE_NAME }] : []),
  ];
}

/** `Read`, `read`, `DescribeConfigs`, `DESCRIBE_CONFIGS` → Kafka's enum name. */
function operationOf(text: string): AclOperation {
  const name = text.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  if (name === 'ANY' || !Object.hasOwn(OPERATION_CODES, name)) throw new UsageError(`unknown --operation ${text}`);
  return name as AclOperation;
}

function patternOf(values: Values, fallback: string): string {
  const p = (values['resource-pattern-type'] ?? fallback).toUpperCase();
  if (!['LITERAL', 'PREFIXED', 'ANY', 'MATCH'].includes(p)) {
    throw new UsageError(
      `--resource-pattern-type is literal, prefixed, any or match, got ${values['resource-pattern-type']}`,
    );
  }
  return p;
}

function entries(values: Values): { principal: string; permission: 'ALLOW' | 'DENY'; hosts: string[] }[] {
  return [
    ...(values['allow-principal'] ?? []).map((principal) => ({
      principal,
      permission: 'ALLOW' as const,
      hosts: values['allow-host'] ?? ['*'],
    })),
    ...(values['deny-principal'] ?? []).map((principal) => ({
      principal,
      permission: 'DENY' as const,
      hosts: values['deny-host'] ?? ['*'],
    })),
  ];
}

function show(acls: AclBinding[], json: boolean): string {
  if (json) return `${JSON.stringify(acls)}\n`;
  return acls
    .map(
      (a) =>
        `${a.resourceType}:${a.patternType}:${a.resourceName}\t${a.principal} has ${a.permission} permission for operation ${a.operation} from host ${a.host}\n`,
    )
    .join('');
}

const subcommands = {
  async add(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, OPTIONS);
    if (values.help) return write(io.stdout, USAGE).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib acls add takes no arguments, only flags');
    const rs = resources(values);
    const who = entries(values);
    const ops = (values.operation ?? []).map(operationOf);
    if (rs.length === 0)
      throw new UsageError('trib acls add needs a resource: --topic, --group, --transactional-id or --cluster');
    if (who.length === 0) throw new UsageError('trib acls add needs --allow-principal or --deny-principal');
    if (ops.length === 0) throw new UsageError('trib acls add needs --operation');
    const patternType = patternOf(values, 'LITERAL');
    if (patternType !== 'LITERAL' && patternType !== 'PREFIXED')
      throw new UsageError('trib acls add takes --resource-pattern-type literal or prefixed');
    const bindings: AclBinding[] = [];
    for (const r of rs)
      for (const w of who)
        for (const host of w.hosts)
          for (const operation of ops)
            bindings.push({
              resourceType: r.type,
              resourceName: r.name,
              patternType: patternType as PatternType,
              principal: w.principal,
              host,
              operation,
              permission: w.permission,
            });
    const added = await withLog(values, io, WHERE, async ({ log }) =>
      (await SecurityStore.open(log)).createAcls(bindings),
    );
    await write(io.stdout, `Added ${added.length} ACL${added.length === 1 ? '' : 's'}:\n${show(added, false)}`);
    return 0;
  },

  async list(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, OPTIONS);
    if (values.help) return write(io.stdout, USAGE).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib acls list takes no arguments, only flags');
    const patternType = patternOf(values, 'ANY') as AclBindingFilter['patternType'];
    const rs = resources(values);
    const filters: AclBindingFilter[] =
      rs.length === 0
        ? [{ ...ACL_FILTER_ANY, patternType, principal: values.principal ?? null }]
        : rs.map((r) => ({
            ...ACL_FILTER_ANY,
            resourceType: r.type,
            resourceName: r.name,
            patternType,
            principal: values.principal ?? null,
          }));
    const acls = await withLog(values, io, WHERE, async ({ log }) => {
      const store = await SecurityStore.open(log);
      const seen = new Set<string>();
      return filters
        .flatMap((f) => store.describeAcls(f))
        .filter((a) => {
          const key = JSON.stringify(a);
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
    });
    await write(io.stdout, show(acls, values.json === true));
    return 0;
  },

  async remove(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, OPTIONS);
    if (values.help) return write(io.stdout, USAGE).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib acls remove takes no arguments, only flags');
    const rs = resources(values);
    if (rs.length === 0)
      throw new UsageError('trib acls remove needs a resource: --topic, --group, --transactional-id or --cluster');
    const patternType = patternOf(values, 'LITERAL') as AclBindingFilter['patternType'];
    const ops = (values.operation ?? []).map(operationOf);
    const who = entries(values);
    const filters: AclBindingFilter[] = [];
    for (const r of rs)
      for (const w of who.length === 0 ? [undefined] : who)
        for (const host of w?.hosts ?? [null])
          for (const operation of ops.length === 0 ? (['ANY'] as const) : ops)
            filters.push({
              resourceType: r.type,
              resourceName: r.name,
              patternType,
              principal: w?.principal ?? null,
              host: w === undefined ? null : host,
              operation,
              permission: w?.permission ?? 'ANY',
            });
    const removed = await withLog(values, io, WHERE, async ({ log }) =>
      (await SecurityStore.open(log)).deleteAcls(filters),
    );
    const all = removed.flat();
    await write(
      io.stdout,
      `Removed ${all.length} ACL${all.length === 1 ? '' : 's'}${all.length > 0 ? ':' : ''}\n${show(all, false)}`,
    );
    return 0;
  },
};

export const aclsCommand = commandGroup(
  'acls',
  'add, list and remove Kafka ACLs the broker checks',
  USAGE,
  subcommands,
);
