import { describe, expect, it } from 'vitest';
import {
  ACL_FILTER_ANY,
  type AclBinding,
  AclAuthorizer,
  type AclOperation,
  authorizationErrorCode,
  type AclPermission,
  type AuthorizationAction,
  type PatternType,
  parseSuperUsers,
  type ResourceType,
  validateAclBinding,
} from '../../src/security/acl.ts';

function acl(
  resourceType: ResourceType,
  resourceName: string,
  patternType: PatternType,
  principal: string,
  host: string,
  operation: AclOperation,
  permission: AclPermission,
): AclBinding {
  return { resourceType, resourceName, patternType, principal, host, operation, permission };
}
const action = (operation: AclOperation, resourceType: ResourceType, resourceName: string): AuthorizationAction => ({
  operation,
  resourceType,
  resourceName,
});
const user = (name: string, host = '127.0.0.1') => ({ principal: `User:${name}`, host });
const fooAcl = (op: AclOperation, p: AclPermission) => acl('TOPIC', 'foo_', 'PREFIXED', 'User:bob', '*', op, p);
const barAcl = (op: AclOperation, p: AclPermission) => acl('GROUP', 'bar', 'LITERAL', 'User:*', '*', op, p);

function withAcls(...acls: AclBinding[]): AclAuthorizer {
  const a = new AclAuthorizer();
  a.createAcls(acls);
  return a;
}

describe('configuration (StandardAuthorizerTest)', () => {
  it('parses super.users and refuses a principal without a type', () => {
    expect(parseSuperUsers('')).toEqual([]);
    expect(parseSuperUsers(' ')).toEqual([]);
    expect(parseSuperUsers(' User:bob;User:alice ')).toEqual(['User:bob', 'User:alice']);
    expect(parseSuperUsers('User:bob;;User:alice')).toEqual(['User:bob', 'User:alice']);
    expect(() => parseSuperUsers('User:bob;bob')).toThrow(
      'expected a string in format principalType:principalName but got bob',
    );
  });

  it('denies by default and allows when allow.everyone.if.no.acl.found is on, only where no ACL exists', () => {
    const off = new AclAuthorizer();
    expect(off.authorizeOne(user('Bob'), action('READ', 'TOPIC', 'topic2'))).toBe('DENIED');
    for (const allow of [true, false]) {
      const a = new AclAuthorizer({ superUsers: 'User:alice;User:chris', allowEveryoneIfNoAclFound: allow });
      a.createAcls([acl('TOPIC', 'topic1', 'LITERAL', 'User:Alice', '*', 'READ', 'ALLOW')]);
      expect(a.authorize(user('Bob'), [action('READ', 'TOPIC', 'topic1')])).toEqual(['DENIED']);
      expect(a.authorize(user('Bob'), [action('READ', 'TOPIC', 'topic2')])).toEqual([allow ? 'ALLOWED' : 'DENIED']);
    }
  });

  it('allows super users everything, even against a DENY', () => {
    const a = new AclAuthorizer({ superUsers: ['User:superman'] });
    a.createAcls([acl('TOPIC', '*', 'LITERAL', 'User:*', '*', 'ALL', 'DENY')]);
    expect(
      a.authorize(user('superman'), [
        action('WRITE', 'TOPIC', 'x'),
        action('CLUSTER_ACTION', 'CLUSTER', 'kafka-cluster'),
      ]),
    ).toEqual(['ALLOWED', 'ALLOWED']);
    expect(a.authorizeOne(user('bob'), action('WRITE', 'TOPIC', 'x'))).toBe('DENIED');
  });
});

describe('decision (StandardAuthorizerTest)', () => {
  it('implies DESCRIBE from READ/WRITE/DELETE/ALTER and DESCRIBE_CONFIGS from ALTER_CONFIGS, for ALLOW only', () => {
    for (const op of ['DESCRIBE', 'READ', 'WRITE', 'DELETE', 'ALTER'] as const) {
      expect(withAcls(fooAcl(op, 'ALLOW')).authorizeOne(user('bob'), action('DESCRIBE', 'TOPIC', 'foo_bar'))).toBe(
        'ALLOWED',
      );
    }
    expect(withAcls(fooAcl('CREATE', 'ALLOW')).authorizeOne(user('bob'), action('DESCRIBE', 'TOPIC', 'foo_bar'))).toBe(
      'DENIED',
    );
    for (const op of ['READ', 'WRITE', 'DELETE', 'ALTER'] as const) {
      // A DENY of READ does not deny DESCRIBE: an ALLOW of DESCRIBE still wins.
      expect(
        withAcls(fooAcl(op, 'DENY'), fooAcl('DESCRIBE', 'ALLOW')).authorizeOne(
          user('bob'),
          action('DESCRIBE', 'TOPIC', 'foo_bar'),
        ),
      ).toBe('ALLOWED');
    }
    expect(
      withAcls(fooAcl('DESCRIBE', 'DENY'), fooAcl('READ', 'ALLOW')).authorizeOne(
        user('bob'),
        action('DESCRIBE', 'TOPIC', 'foo_bar'),
      ),
    ).toBe('DENIED');
    for (const op of ['DESCRIBE_CONFIGS', 'ALTER_CONFIGS'] as const) {
      expect(
        withAcls(fooAcl(op, 'ALLOW')).authorizeOne(user('bob'), action('DESCRIBE_CONFIGS', 'TOPIC', 'foo_bar')),
      ).toBe('ALLOWED');
    }
    expect(
      withAcls(fooAcl('ALTER_CONFIGS', 'DENY'), fooAcl('DESCRIBE_CONFIGS', 'ALLOW')).authorizeOne(
        user('bob'),
        action('DESCRIBE_CONFIGS', 'TOPIC', 'foo_bar'),
      ),
    ).toBe('ALLOWED');
    expect(
      withAcls(fooAcl('ALTER_CONFIGS', 'DENY')).authorizeOne(user('bob'), action('ALTER_CONFIGS', 'TOPIC', 'foo_bar')),
    ).toBe('DENIED');
  });

  it('matches principals exactly or by User:*', () => {
    expect(withAcls(fooAcl('READ', 'ALLOW')).authorizeOne(user('bob'), action('READ', 'TOPIC', 'foo_bar'))).toBe(
      'ALLOWED',
    );
    expect(withAcls(fooAcl('READ', 'ALLOW')).authorizeOne(user('alice'), action('READ', 'TOPIC', 'foo_bar'))).toBe(
      'DENIED',
    );
    expect(withAcls(barAcl('READ', 'ALLOW')).authorizeOne(user('alice'), action('READ', 'GROUP', 'bar'))).toBe(
      'ALLOWED',
    );
    expect(
      withAcls(barAcl('READ', 'ALLOW')).authorizeOne(
        { principal: 'Group:ops', host: '1.2.3.4' },
        action('READ', 'GROUP', 'bar'),
      ),
    ).toBe('DENIED');
  });

  it('runs simple authorizations', () => {
    const a = withAcls(
      fooAcl('READ', 'ALLOW'),
      fooAcl('WRITE', 'ALLOW'),
      barAcl('DESCRIBE_CONFIGS', 'ALLOW'),
      barAcl('ALTER_CONFIGS', 'ALLOW'),
    );
    expect(a.authorize(user('bob'), [action('READ', 'TOPIC', 'foo_')])).toEqual(['ALLOWED']);
    expect(a.authorize(user('fred'), [action('ALTER_CONFIGS', 'GROUP', 'bar')])).toEqual(['ALLOWED']);
  });

  it('lets DENY win, with operation ALL', () => {
    const a = withAcls(
      acl('TOPIC', 'foo', 'LITERAL', 'User:alice', '*', 'ALL', 'DENY'),
      acl('TOPIC', 'foo', 'PREFIXED', 'User:alice', '*', 'READ', 'ALLOW'),
      acl('TOPIC', 'foo', 'LITERAL', 'User:*', '*', 'ALL', 'DENY'),
      acl('TOPIC', 'foo', 'PREFIXED', 'User:*', '*', 'DESCRIBE', 'ALLOW'),
    );
    expect(
      a.authorize(user('alice'), [
        action('WRITE', 'TOPIC', 'foo'),
        action('READ', 'TOPIC', 'foo'),
        action('DESCRIBE', 'TOPIC', 'foo'),
        action('READ', 'TOPIC', 'foobar'),
      ]),
    ).toEqual(['DENIED', 'DENIED', 'DENIED', 'ALLOWED']);
    expect(
      a.authorize(user('bob'), [
        action('DESCRIBE', 'TOPIC', 'foo'),
        action('READ', 'TOPIC', 'foo'),
        action('WRITE', 'TOPIC', 'foo'),
        action('DESCRIBE', 'TOPIC', 'foobaz'),
        action('READ', 'TOPIC', 'foobaz'),
      ]),
    ).toEqual(['DENIED', 'DENIED', 'DENIED', 'ALLOWED', 'DENIED']);
  });

  it('allows every operation with ALL', () => {
    const a = withAcls(
      acl('TOPIC', 'foo', 'LITERAL', 'User:*', '*', 'ALL', 'ALLOW'),
      acl('TOPIC', 'bar', 'PREFIXED', 'User:alice', '*', 'ALL', 'ALLOW'),
      acl('TOPIC', 'baz', 'LITERAL', 'User:bob', '*', 'ALL', 'ALLOW'),
    );
    expect(
      a.authorize(user('alice'), [
        action('WRITE', 'TOPIC', 'foo'),
        action('DESCRIBE_CONFIGS', 'TOPIC', 'bar'),
        action('DESCRIBE', 'TOPIC', 'baz'),
      ]),
    ).toEqual(['ALLOWED', 'ALLOWED', 'DENIED']);
    expect(
      a.authorize(user('bob'), [
        action('WRITE', 'TOPIC', 'foo'),
        action('READ', 'TOPIC', 'bar'),
        action('DESCRIBE', 'TOPIC', 'baz'),
      ]),
    ).toEqual(['ALLOWED', 'DENIED', 'ALLOWED']);
    expect(
      a.authorize(user('malory'), [
        action('DESCRIBE', 'TOPIC', 'foo'),
        action('WRITE', 'TOPIC', 'bar'),
        action('READ', 'TOPIC', 'baz'),
      ]),
    ).toEqual(['ALLOWED', 'DENIED', 'DENIED']);
  });

  it('matches hosts exactly or by *', () => {
    const local = '127.0.0.1';
    const a = withAcls(
      acl('TOPIC', 'foo', 'LITERAL', 'User:alice', '192.168.1.1', 'READ', 'DENY'),
      acl('TOPIC', 'foo', 'LITERAL', 'User:alice', '*', 'READ', 'ALLOW'),
      acl('TOPIC', 'bar', 'LITERAL', 'User:bob', '192.168.1.2', 'READ', 'ALLOW'),
      acl('TOPIC', 'bar', 'LITERAL', 'User:*', local, 'DESCRIBE', 'ALLOW'),
    );
    const actions = [
      action('READ', 'TOPIC', 'foo'),
      action('READ', 'TOPIC', 'bar'),
      action('DESCRIBE', 'TOPIC', 'bar'),
    ];
    expect(a.authorize(user('alice', local), actions)).toEqual(['ALLOWED', 'DENIED', 'ALLOWED']);
    expect(a.authorize(user('alice', '192.168.1.1'), actions)).toEqual(['DENIED', 'DENIED', 'DENIED']);
    expect(a.authorize(user('alice', '192.168.1.2'), actions)).toEqual(['ALLOWED', 'DENIED', 'DENIED']);
    expect(a.authorize(user('bob', local), actions)).toEqual(['DENIED', 'DENIED', 'ALLOWED']);
    expect(a.authorize(user('bob', '192.168.1.1'), actions)).toEqual(['DENIED', 'DENIED', 'DENIED']);
    expect(a.authorize(user('bob', '192.168.1.2'), actions)).toEqual(['DENIED', 'ALLOWED', 'ALLOWED']);
    // Node's dual-stack form of an IPv4 client is the same host.
    expect(a.authorize(user('bob', '::ffff:192.168.1.2'), actions)).toEqual(['DENIED', 'ALLOWED', 'ALLOWED']);
  });

  it('decides with many ACLs, literal * and prefixes', () => {
    const a = withAcls(
      acl('TOPIC', 'green2', 'LITERAL', 'User:*', '*', 'READ', 'ALLOW'),
      acl('TOPIC', 'green', 'PREFIXED', 'User:bob', '*', 'READ', 'ALLOW'),
      acl('TOPIC', 'betamax4', 'LITERAL', 'User:bob', '*', 'READ', 'ALLOW'),
      acl('TOPIC', 'betamax', 'LITERAL', 'User:bob', '*', 'READ', 'ALLOW'),
      acl('TOPIC', 'beta', 'PREFIXED', 'User:*', '*', 'READ', 'ALLOW'),
      acl('TOPIC', 'alpha', 'PREFIXED', 'User:*', '*', 'READ', 'ALLOW'),
      acl('TOPIC', 'alp', 'PREFIXED', 'User:bob', '*', 'READ', 'DENY'),
      acl('GROUP', '*', 'LITERAL', 'User:bob', '*', 'WRITE', 'ALLOW'),
      acl('GROUP', 'wheel', 'LITERAL', 'User:*', '*', 'WRITE', 'DENY'),
    );
    expect(a.authorize(user('bob'), [action('READ', 'TOPIC', 'green1'), action('WRITE', 'GROUP', 'wheel')])).toEqual([
      'ALLOWED',
      'DENIED',
    ]);
    expect(
      a.authorize(user('bob'), [
        action('READ', 'TOPIC', 'alpha'),
        action('WRITE', 'GROUP', 'arbitrary'),
        action('READ', 'TOPIC', 'ala'),
      ]),
    ).toEqual(['DENIED', 'ALLOWED', 'DENIED']);
  });

  it('matches prefixes', () => {
    const a = withAcls(
      acl('TOPIC', 'fooa', 'PREFIXED', 'User:alice', '*', 'ALL', 'ALLOW'),
      acl('TOPIC', 'foobar', 'LITERAL', 'User:bob', '*', 'ALL', 'ALLOW'),
      acl('TOPIC', 'f', 'PREFIXED', 'User:bob', '*', 'ALL', 'ALLOW'),
    );
    expect(
      a.authorize(user('bob'), [
        action('WRITE', 'TOPIC', 'foobarr'),
        action('READ', 'TOPIC', 'goobar'),
        action('READ', 'TOPIC', 'fooa'),
      ]),
    ).toEqual(['ALLOWED', 'DENIED', 'ALLOWED']);
    expect(
      a.authorize(user('alice'), [
        action('DESCRIBE', 'TOPIC', 'fooa'),
        action('WRITE', 'TOPIC', 'bar'),
        action('READ', 'TOPIC', 'baz'),
      ]),
    ).toEqual(['ALLOWED', 'DENIED', 'DENIED']);
  });

  it('keeps resource types apart: a TOPIC ACL says nothing about a GROUP or TRANSACTIONAL_ID of that name', () => {
    const a = withAcls(
      acl('TOPIC', '*', 'LITERAL', 'User:*', '*', 'ALL', 'ALLOW'),
      acl('TRANSACTIONAL_ID', 'tx-', 'PREFIXED', 'User:bob', '*', 'WRITE', 'ALLOW'),
    );
    expect(
      a.authorize(user('bob'), [
        action('READ', 'GROUP', 'x'),
        action('WRITE', 'TRANSACTIONAL_ID', 'tx-1'),
        action('DESCRIBE', 'TRANSACTIONAL_ID', 'tx-1'),
        action('WRITE', 'TOPIC', 'x'),
      ]),
    ).toEqual(['DENIED', 'ALLOWED', 'ALLOWED', 'ALLOWED']);
  });
});

describe('CreateAcls / DescribeAcls / DeleteAcls', () => {
  it('lists, removes and filters (testListAcls)', () => {
    const a = new AclAuthorizer();
    const foo = [fooAcl('READ', 'ALLOW'), fooAcl('WRITE', 'ALLOW')];
    const bar = [barAcl('DESCRIBE_CONFIGS', 'DENY'), barAcl('ALTER_CONFIGS', 'DENY')];
    a.createAcls([...foo, ...bar]);
    expect(a.describeAcls(ACL_FILTER_ANY)).toEqual([...foo, ...bar]);
    expect(a.deleteAcls([{ ...ACL_FILTER_ANY, resourceType: 'TOPIC', operation: 'WRITE' }])).toEqual([[foo[1]]]);
    expect(a.describeAcls()).toEqual([foo[0], ...bar]);
    expect(a.describeAcls({ ...ACL_FILTER_ANY, resourceType: 'TOPIC' })).toEqual([foo[0]]);
  });

  it('creates an existing ACL once', () => {
    const a = withAcls(fooAcl('READ', 'ALLOW'));
    a.createAcls([fooAcl('READ', 'ALLOW')]);
    expect(a.describeAcls()).toHaveLength(1);
  });

  it('filters by exact pattern, ANY and MATCH (ResourcePatternFilterTest)', () => {
    const lit = acl('TOPIC', 'orders', 'LITERAL', 'User:a', '*', 'READ', 'ALLOW');
    const star = acl('TOPIC', '*', 'LITERAL', 'User:a', '*', 'READ', 'ALLOW');
    const pre = acl('TOPIC', 'ord', 'PREFIXED', 'User:a', '*', 'READ', 'ALLOW');
    const other = acl('TOPIC', 'payments', 'PREFIXED', 'User:a', '*', 'READ', 'ALLOW');
    const a = withAcls(lit, star, pre, other);
    const by = (resourceName: string | null, patternType: 'ANY' | 'MATCH' | PatternType) =>
      a.describeAcls({ ...ACL_FILTER_ANY, resourceType: 'TOPIC', resourceName, patternType });
    expect(by('orders', 'LITERAL')).toEqual([lit]);
    expect(by('ord', 'LITERAL')).toEqual([]);
    expect(by('ord', 'PREFIXED')).toEqual([pre]);
    expect(by('orders', 'PREFIXED')).toEqual([]);
    expect(by('orders', 'ANY')).toEqual([lit]);
    expect(by('orders', 'MATCH')).toEqual([lit, star, pre]);
    expect(by('*', 'MATCH')).toEqual([star]);
    expect(by(null, 'MATCH')).toEqual([lit, star, pre, other]);
    expect(a.describeAcls({ ...ACL_FILTER_ANY, principal: 'User:b' })).toEqual([]);
    expect(a.describeAcls({ ...ACL_FILTER_ANY, host: '10.0.0.1' })).toEqual([]);
    expect(a.describeAcls({ ...ACL_FILTER_ANY, permission: 'DENY' })).toEqual([]);
  });

  it('refuses invalid bindings and filters with INVALID_ACL, storing none of a failed batch', () => {
    const good = fooAcl('READ', 'ALLOW');
    const bad: AclBinding[] = [
      { ...good, resourceType: 'ANY' as never },
      { ...good, patternType: 'MATCH' as never },
      { ...good, patternType: 'ANY' as never },
      { ...good, operation: 'ANY' as never },
      { ...good, permission: 'ANY' as never },
      { ...good, resourceName: '' },
      { ...good, principal: 'bob' },
      { ...good, host: '' },
      acl('CLUSTER', 'my-cluster', 'LITERAL', 'User:a', '*', 'ALTER', 'ALLOW'),
    ];
    const a = new AclAuthorizer();
    for (const b of bad) {
      expect(() => validateAclBinding(b)).toThrow(expect.objectContaining({ code: 'INVALID_ACL' }));
      expect(() => a.createAcls([good, b])).toThrow(expect.objectContaining({ code: 'INVALID_ACL' }));
    }
    expect(a.describeAcls()).toEqual([]);
    expect(() => a.describeAcls({ ...ACL_FILTER_ANY, operation: 'FLY' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_ACL' }),
    );
    expect(() => a.deleteAcls([{ ...ACL_FILTER_ANY, principal: 'nobody' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_ACL' }),
    );
    expect(
      validateAclBinding(acl('CLUSTER', 'kafka-cluster', 'LITERAL', 'User:a', '::ffff:10.0.0.1', 'ALTER', 'ALLOW'))
        .host,
    ).toBe('10.0.0.1');
  });
});

describe('authorizationErrorCode', () => {
  it("maps resource types to Kafka's denial codes", () => {
    expect((['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID'] as const).map(authorizationErrorCode)).toEqual([
      'TOPIC_AUTHORIZATION_FAILED',
      'GROUP_AUTHORIZATION_FAILED',
      'CLUSTER_AUTHORIZATION_FAILED',
      'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
    ]);
    expect(() => authorizationErrorCode('ANY' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ACL' }));
  });
});
