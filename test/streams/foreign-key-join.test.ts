import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.ts';
import { StreamsBuilder } from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { murmur3Hash128 } from '../../src/streams/internal/murmur3.ts';
import {
  combinedKey,
  decodeResponse,
  decodeSubscription,
  encodeResponse,
  encodeSubscription,
  Instruction,
} from '../../src/streams/internal/foreign-key/wrappers.ts';
import { S } from './helpers.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * The topology of Kafka's KTableKTableForeignKeyJoinIntegrationTest: `left` rows are
 * `value|fk`, joined to `right` by fk; optionally materialized in `store`, optionally re-joined
 * with `left` on the primary key (which needs the FK join's result materialized).
 */
function topology(
  leftJoin: boolean,
  materialized: boolean,
  rejoin: boolean,
  extract: (v: string) => string | null = (v) => {
    const tokens = v.split('|');
    return tokens.length === 2 ? tokens[1]! : null;
  },
) {
  const b = new StreamsBuilder();
  const left = b.table('left_table', { keySerde: S, valueSerde: S });
  const right = b.table('right_table', { keySerde: S, valueSerde: S });
  const joiner = (l: string | null, r: string | null) => `(${l},${r})`;
  const m = materialized
    ? { storeName: 'store', valueSerde: S, storeType: 'in-memory' as const, cachingEnabled: false }
    : { valueSerde: S, cachingEnabled: false };
  const fk = leftJoin
    ? left.leftJoin(right, extract, joiner, undefined, m)
    : left.join(right, extract, joiner, undefined, m);
  fk.toStream().to('output-topic', { keySerde: S, valueSerde: S });
  if (rejoin) {
    const rejoiner = (l: string | null, r: string | null) => `rejoin(${l},${r})`;
    const rm = materialized ? { storeName: 'store-rejoin', valueSerde: S, cachingEnabled: false } : { valueSerde: S };
    (leftJoin ? fk.leftJoin(left, rejoiner, { materialized: rm }) : fk.join(left, rejoiner, { materialized: rm }))
      .toStream()
      .to('rejoin-output-topic', { keySerde: S, valueSerde: S });
  }
  return b.build();
}

function harness(
  leftJoin: boolean,
  materialized: boolean,
  rejoin = false,
  extract?: (v: string) => string | null,
  partitions = 1,
) {
  const d = new TopologyTestDriver(topology(leftJoin, materialized, rejoin, extract), { partitions });
  const right = d.createInputTopic('right_table', S, S);
  const left = d.createInputTopic('left_table', S, S);
  const out = d.createOutputTopic('output-topic', S, S);
  const rejoinOut = d.createOutputTopic('rejoin-output-topic', S, S);
  const kv = () => out.readKeyValuesToList().map(({ key, value }) => [key, value]);
  const store = () =>
    materialized
      ? Object.fromEntries(
          (d.getKeyValueStore<string, string>('store').all() as { key: string; value: string }[]).map((e) => [
            e.key,
            e.value,
          ]),
        )
      : undefined;
  return { d, right, left, out, rejoinOut, kv, store };
}

const cases = [true, false].flatMap((leftJoin) =>
  [true, false].flatMap((materialized) => [true, false].map((rejoin) => ({ leftJoin, materialized, rejoin }))),
);

describe("KTable-KTable foreign-key join (cases of Kafka's KTableKTableForeignKeyJoinIntegrationTest)", () => {
  it.each(cases)('doJoinFromLeftThenDeleteLeftEntity %o', ({ leftJoin, materialized, rejoin }) => {
    const h = harness(leftJoin, materialized, rejoin);
    h.right.pipeInput('rhs1', 'rhsValue1', 0);
    h.right.pipeInput('rhs2', 'rhsValue2', 1);
    h.right.pipeInput('rhs3', 'rhsValue3', 2);
    expect(h.kv()).toEqual([]);
    if (materialized) expect(h.store()).toEqual({});
    h.left.pipeInput('lhs1', 'lhsValue1|rhs1', 3);
    h.left.pipeInput('lhs2', 'lhsValue2|rhs2', 4);
    expect(h.kv()).toEqual([
      ['lhs1', '(lhsValue1|rhs1,rhsValue1)'],
      ['lhs2', '(lhsValue2|rhs2,rhsValue2)'],
    ]);
    if (rejoin) {
      expect(h.rejoinOut.readKeyValuesToList().map(({ key, value }) => [key, value])).toEqual([
        ['lhs1', 'rejoin((lhsValue1|rhs1,rhsValue1),lhsValue1|rhs1)'],
        ['lhs2', 'rejoin((lhsValue2|rhs2,rhsValue2),lhsValue2|rhs2)'],
      ]);
    }
    if (materialized)
      expect(h.store()).toEqual({ lhs1: '(lhsValue1|rhs1,rhsValue1)', lhs2: '(lhsValue2|rhs2,rhsValue2)' });
    h.left.pipeInput('lhs3', 'lhsValue3|rhs1', 5);
    expect(h.kv()).toEqual([['lhs3', '(lhsValue3|rhs1,rhsValue1)']]);
    h.left.pipeInput('lhs1', null, 6);
    expect(h.kv()).toEqual([['lhs1', null]]);
    if (rejoin)
      expect(h.rejoinOut.readKeyValuesToList().map(({ key, value }) => [key, value])).toContainEqual(['lhs1', null]);
    if (materialized)
      expect(h.store()).toEqual({ lhs2: '(lhsValue2|rhs2,rhsValue2)', lhs3: '(lhsValue3|rhs1,rhsValue1)' });
  });

  it.each(cases)('doJoinFromLeftThenUpdateFkThenRevertBack %o', ({ leftJoin, materialized, rejoin }) => {
    const h = harness(leftJoin, materialized, rejoin);
    h.right.pipeInput('rhs1', 'rhsValue1', 0);
    h.right.pipeInput('rhs2', 'rhsValue2', 1);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs1', 3);
    expect(h.kv()).toEqual([['lhs1', '(lhsValue1|rhs1,rhsValue1)']]);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs2', 5);
    expect(h.kv()).toEqual([['lhs1', '(lhsValue1|rhs2,rhsValue2)']]);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs1', 6);
    expect(h.kv()).toEqual([['lhs1', '(lhsValue1|rhs1,rhsValue1)']]);
  });

  it.each(cases)('doJoinFromRightThenDeleteRightEntity %o', ({ leftJoin, materialized, rejoin }) => {
    const h = harness(leftJoin, materialized, rejoin);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs1', 0);
    h.left.pipeInput('lhs2', 'lhsValue2|rhs2', 1);
    h.left.pipeInput('lhs3', 'lhsValue3|rhs1', 2);
    expect(h.kv()).toEqual(
      leftJoin
        ? [
            ['lhs1', '(lhsValue1|rhs1,null)'],
            ['lhs2', '(lhsValue2|rhs2,null)'],
            ['lhs3', '(lhsValue3|rhs1,null)'],
          ]
        : [],
    );
    h.right.pipeInput('rhs1', 'rhsValue1', 3);
    expect(h.kv()).toEqual([
      ['lhs1', '(lhsValue1|rhs1,rhsValue1)'],
      ['lhs3', '(lhsValue3|rhs1,rhsValue1)'],
    ]);
    if (materialized)
      expect(h.store()).toEqual({
        lhs1: '(lhsValue1|rhs1,rhsValue1)',
        ...(leftJoin ? { lhs2: '(lhsValue2|rhs2,null)' } : {}),
        lhs3: '(lhsValue3|rhs1,rhsValue1)',
      });
    h.right.pipeInput('rhs2', 'rhsValue2', 4);
    expect(h.kv()).toEqual([['lhs2', '(lhsValue2|rhs2,rhsValue2)']]);
    h.right.pipeInput('rhs3', 'rhsValue3', 5);
    expect(h.kv()).toEqual([]);
    h.right.pipeInput('rhs1', null, 6);
    expect(h.kv()).toEqual([
      ['lhs1', leftJoin ? '(lhsValue1|rhs1,null)' : null],
      ['lhs3', leftJoin ? '(lhsValue3|rhs1,null)' : null],
    ]);
    if (materialized)
      expect(h.store()).toEqual(
        leftJoin
          ? { lhs1: '(lhsValue1|rhs1,null)', lhs2: '(lhsValue2|rhs2,rhsValue2)', lhs3: '(lhsValue3|rhs1,null)' }
          : { lhs2: '(lhsValue2|rhs2,rhsValue2)' },
      );
  });

  it.each(cases)('shouldEmitTombstoneWhenDeletingNonJoiningRecords %o', ({ leftJoin, materialized, rejoin }) => {
    const h = harness(leftJoin, materialized, rejoin);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs1', 0);
    expect(h.kv()).toEqual(leftJoin ? [['lhs1', '(lhsValue1|rhs1,null)']] : []);
    // An inner join cannot know whether a result was emitted before: the tombstone goes out anyway.
    h.left.pipeInput('lhs1', null, 1);
    expect(h.kv()).toEqual([['lhs1', null]]);
    if (materialized) expect(h.store()).toEqual({});
    h.left.pipeInput('lhs1', null, 2);
    expect(h.kv()).toEqual([]);
  });

  it.each(cases)('shouldNotEmitTombstonesWhenDeletingNonExistingRecords %o', ({ leftJoin, materialized, rejoin }) => {
    const h = harness(leftJoin, materialized, rejoin);
    h.left.pipeInput('lhs1', null, 0);
    expect(h.kv()).toEqual([]);
  });

  it.each(cases)('joinShouldProduceNullsWhenValueHasNonMatchingForeignKey %o', ({ leftJoin, materialized, rejoin }) => {
    const h = harness(leftJoin, materialized, rejoin);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs1', 0);
    expect(h.kv()).toEqual(leftJoin ? [['lhs1', '(lhsValue1|rhs1,null)']] : []);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs2', 1);
    expect(h.kv()).toEqual([['lhs1', leftJoin ? '(lhsValue1|rhs2,null)' : null]]);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs3', 2);
    expect(h.kv()).toEqual([['lhs1', leftJoin ? '(lhsValue1|rhs3,null)' : null]]);
    // rhs1 is no longer referenced: no change at all.
    h.right.pipeInput('rhs1', 'rhsValue1', 3);
    expect(h.kv()).toEqual([]);
    if (materialized) expect(h.store()).toEqual(leftJoin ? { lhs1: '(lhsValue1|rhs3,null)' } : {});
    h.left.pipeInput('lhs1', 'lhsValue1|rhs1', 4);
    expect(h.kv()).toEqual([['lhs1', '(lhsValue1|rhs1,rhsValue1)']]);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs2', 5);
    expect(h.kv()).toEqual([['lhs1', leftJoin ? '(lhsValue1|rhs2,null)' : null]]);
    if (materialized) expect(h.store()).toEqual(leftJoin ? { lhs1: '(lhsValue1|rhs2,null)' } : {});
  });

  it.each(cases)('shouldUnsubscribeOldForeignKeyIfLeftSideIsUpdated %o', ({ leftJoin, materialized, rejoin }) => {
    const h = harness(leftJoin, materialized, rejoin);
    h.right.pipeInput('rhs1', 'rhsValue1', 0);
    h.right.pipeInput('rhs2', 'rhsValue2', 1);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs1', 2);
    expect(h.kv()).toEqual([['lhs1', '(lhsValue1|rhs1,rhsValue1)']]);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs2', 3);
    expect(h.kv()).toEqual([['lhs1', '(lhsValue1|rhs2,rhsValue2)']]);
    // The old foreign key's update reaches nobody.
    h.right.pipeInput('rhs1', 'rhsValue1Delta', 4);
    expect(h.kv()).toEqual([]);
    if (materialized) expect(h.store()).toEqual({ lhs1: '(lhsValue1|rhs2,rhsValue2)' });
  });

  it.each([true, false])('shouldEmitRecordOnNullForeignKeyForLeftJoins (materialized %s)', (materialized) => {
    const h = harness(true, materialized, false, () => null);
    h.left.pipeInput('lhs1', 'lhsValue1|rhs1', 0);
    expect(h.kv()).toEqual([['lhs1', '(lhsValue1|rhs1,null)']]);
  });

  it.each([true, false])('shouldEmitRecordWhenOldAndNewFkDiffer (materialized %s)', (materialized) => {
    const h = harness(true, materialized, false, (v) => {
      const fk = v.split('|')[1]!;
      return fk === 'returnNull' ? null : fk;
    });
    const storeName = 'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010';
    const subscriptions = h.d.getKeyValueStore<Uint8Array, Uint8Array>(storeName);
    const key = combinedKey(utf8('rhs1'), utf8('lhs1'));
    h.left.pipeInput('lhs1', 'lhsValue1|rhs1', 0);
    expect(h.kv()).toEqual([['lhs1', '(lhsValue1|rhs1,null)']]);
    expect(subscriptions.get(key)).not.toBeNull();
    h.left.pipeInput('lhs1', 'lhsValue1|returnNull', 0);
    expect(h.kv()).toEqual([['lhs1', '(lhsValue1|returnNull,null)']]);
    expect(subscriptions.get(key)).toBeNull();
  });

  it("stamps a result with the larger of the two rows' timestamps, as Kafka's SubscriptionJoin does", () => {
    const h = harness(false, true);
    h.right.pipeInput('rhs1', 'r', 100);
    h.left.pipeInput('lhs1', 'l|rhs1', 40);
    h.right.pipeInput('rhs1', 'r2', 70);
    expect(h.out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['lhs1', '(l|rhs1,r)', 100],
      ['lhs1', '(l|rhs1,r2)', 70],
    ]);
  });

  it("joins across partitions: subscriptions go to the foreign key's partition and responses come back", () => {
    const h = harness(true, true, false, undefined, 4);
    for (let i = 0; i < 20; i++) h.right.pipeInput(`c${i}`, `customer${i}`, i);
    for (let i = 0; i < 40; i++) h.left.pipeInput(`o${i}`, `order${i}|c${i % 20}`, 100 + i);
    const results = new Map(h.kv() as [string, string][]);
    expect(results.size).toBe(40);
    for (let i = 0; i < 40; i++) expect(results.get(`o${i}`)).toBe(`(order${i}|c${i % 20},customer${i % 20})`);
    h.right.pipeInput('c3', 'renamed', 500);
    expect(h.kv().sort()).toEqual([
      ['o23', '(order23|c3,renamed)'],
      ['o3', '(order3|c3,renamed)'],
    ]);
  });

  it('sends subscriptions and responses where TableJoined partitioners say', () => {
    const b = new StreamsBuilder();
    const seen: string[] = [];
    b.table('l', { keySerde: S, valueSerde: S })
      .join(
        b.table('r', { keySerde: S, valueSerde: S }),
        (v) => v,
        (l, r) => `${l}:${r}`,
        {
          name: 'p',
          otherPartitioner: (_t, fk, _v, n) => {
            seen.push(`fk ${fk} of ${n}`);
            return undefined;
          },
          partitioner: (_t, pk, _v, n) => {
            seen.push(`pk ${pk} of ${n}`);
            return 0;
          },
        },
      )
      .toStream()
      .to('o', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build(), { applicationId: 'app', partitions: 2 });
    d.createInputTopic('r', S, S).pipeInput('x', 'X', 1);
    d.createInputTopic('l', S, S).pipeInput('k', 'x', 2);
    expect(seen).toEqual(['fk x of 2', 'pk k of 2']);
    expect(d.readTopic('app-p-subscription-response-topic').map((r) => r.partition)).toEqual([0]);
    // The response went to partition 0, where the primary key's task is not: no result there.
    const kPartition = d.readTopic('l')[0]!.partition;
    expect(d.createOutputTopic('o', S, S).readValuesToList()).toEqual(kPartition === 0 ? ['x:X'] : []);
  });

  it("uses Kafka's node, store and topic names, and TableJoined names them", () => {
    const text = topology(false, false, false).describe().toString();
    for (const name of [
      'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000000-topic'.replace('0000000000', '0000000006'),
    ])
      expect(text).toContain(name);
    expect(text).toContain('Processor: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007 (stores: [])');
    expect(text).toContain(
      'Sink: KTABLE-SINK-0000000008 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic)',
    );
    expect(text).toContain(
      'Source: KTABLE-SOURCE-0000000009 (topics: [KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic])',
    );
    expect(text).toContain(
      'Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])',
    );
    expect(text).toContain(
      'Sink: KTABLE-SINK-0000000015 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic)',
    );
    expect(text).toContain('Processor: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017');
    expect(text).toContain('Processor: KTABLE-FK-JOIN-OUTPUT-0000000018 (stores: [])');

    const b = new StreamsBuilder();
    b.table('l', { keySerde: S, valueSerde: S })
      .join(
        b.table('r', { keySerde: S, valueSerde: S }),
        (v) => v,
        (l, r) => l + r,
        { name: 'fk' },
      )
      .toStream()
      .to('o', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build(), { applicationId: 'app' });
    d.createInputTopic('r', S, S).pipeInput('x', 'X', 1);
    d.createInputTopic('l', S, S).pipeInput('k', 'x', 2);
    expect(d.createOutputTopic('o', S, S).readKeyValuesToList()).toEqual([{ key: 'k', value: 'xX' }]);
    expect(d.readTopic('app-fk-subscription-registration-topic')).toHaveLength(1);
    expect(d.readTopic('app-fk-subscription-response-topic')).toHaveLength(1);
    expect(d.readTopic('app-fk-subscription-store-changelog')).toHaveLength(1);
    expect(b.build().describe().toString()).toContain(
      'Processor: fk-subscription-receive (stores: [fk-subscription-store])',
    );
  });

  it("writes Kafka's SubscriptionWrapper and SubscriptionResponseWrapper bytes to its topics", () => {
    const b = new StreamsBuilder();
    b.table('l', { keySerde: S, valueSerde: S })
      .join(
        b.table('r', { keySerde: S, valueSerde: S }),
        (v) => v.split('|')[1],
        (l, r) => l + r,
        { name: 'fk' },
      )
      .toStream()
      .to('o', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build(), { applicationId: 'app' });
    d.createInputTopic('r', S, S).pipeInput('rhs', 'R', 1);
    d.createInputTopic('l', S, S).pipeInput('lhs', 'v|rhs', 2);
    const [sub] = d.readTopic('app-fk-subscription-registration-topic');
    const hash = murmur3Hash128(utf8('v|rhs'));
    // version 1, hash present | instruction 3 (first subscription) | hash | "lhs" | partition 0
    expect(hex(sub!.key!)).toBe(hex(utf8('rhs')));
    expect(hex(sub!.value!)).toBe(`0103${hex(hash)}${hex(utf8('lhs'))}00000000`);
    const [response] = d.readTopic('app-fk-subscription-response-topic');
    expect(hex(response!.key!)).toBe(hex(utf8('lhs')));
    expect(hex(response!.value!)).toBe(`00${hex(hash)}${hex(utf8('R'))}`);
    const [stored] = d.readTopic('app-fk-subscription-store-changelog');
    expect(hex(stored!.key!)).toBe(`00000003${hex(utf8('rhs'))}${hex(utf8('lhs'))}`);
  });
});

describe("the foreign-key join's formats", () => {
  it("hashes as Kafka's Murmur3.hash128 (vectors from kafka-streams 4.1.1)", () => {
    const vectors: [string, string][] = [
      ['', '9d2764a018e329428c3cf3b035938518'],
      ['a', '3361634e7e0f5188e9c7dda24eae326b'],
      ['hello', '30bfb4f39919e764566aea857401d1c6'],
      ['hello world, this is 31 bytes!!', '64036d35f53c5bd30392eb094c305e51'],
      ['exactly sixteen!', '0fd3c93a715c40b9b8fb42b026e9ae5c'],
      ['0123456789abcdefXYZ', 'bb31fe14c8ec1d0e325aa157c895f535'],
    ];
    for (const [input, expected] of vectors) expect(hex(murmur3Hash128(utf8(input)))).toBe(expected);
  });

  it('round-trips subscriptions and responses, with and without a hash', () => {
    const hash = murmur3Hash128(utf8('x'));
    for (const s of [
      {
        version: 1,
        instruction: Instruction.DELETE_KEY_AND_PROPAGATE,
        hash: null,
        primaryKey: utf8('pk'),
        primaryPartition: 3,
      },
      {
        version: 1,
        instruction: Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE,
        hash,
        primaryKey: utf8(''),
        primaryPartition: 0,
      },
      {
        version: 0,
        instruction: Instruction.DELETE_KEY_NO_PROPAGATE,
        hash,
        primaryKey: utf8('k'),
        primaryPartition: undefined,
      },
    ])
      expect(decodeSubscription(encodeSubscription(s), 't')).toEqual(s);
    expect(
      hex(encodeSubscription({ version: 1, instruction: 1, hash: null, primaryKey: utf8('k'), primaryPartition: 2 })),
    ).toBe(`8101${hex(utf8('k'))}00000002`);
    for (const r of [
      { version: 0, hash, foreignValue: utf8('fv') },
      { version: 0, hash: null, foreignValue: null },
    ])
      expect(decodeResponse(encodeResponse(r), 't')).toEqual(r);
    expect(hex(encodeResponse({ version: 0, hash: null, foreignValue: null }))).toBe('80');
  });

  it('refuses bytes that are no subscription with a SERIALIZATION_ERROR', () => {
    expect(() => decodeSubscription(new Uint8Array([1]), 't')).toThrow(
      expect.objectContaining({ code: 'SERIALIZATION_ERROR' }),
    );
    expect(() => decodeSubscription(new Uint8Array([1, 9, 0, 0, 0, 0]), 't')).toThrow(
      expect.objectContaining({ code: 'SERIALIZATION_ERROR' }),
    );
    expect(() => decodeResponse(new Uint8Array([0, 1, 2]), 't')).toThrow(
      expect.objectContaining({ code: 'SERIALIZATION_ERROR' }),
    );
  });

  it('falls back to the default serdes when the tables have none', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('l')
      .leftJoin(
        b.table<string, string>('r'),
        (v) => v,
        (l, r) => `${l}+${r ?? '-'}`,
      )
      .toStream()
      .to('o');
    const d = new TopologyTestDriver(b.build(), {
      defaultKeySerde: Serdes.String(),
      defaultValueSerde: Serdes.String(),
    });
    d.createInputTopic('l', S, S).pipeInput('k', 'x', 1);
    d.createInputTopic('r', S, S).pipeInput('x', 'X', 2);
    expect(d.createOutputTopic('o', S, S).readValuesToList()).toEqual(['x+-', 'x+X']);
  });
});
