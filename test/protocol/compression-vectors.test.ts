/**
 * Record batches compressed by real clients nobody here wrote: librdkafka (kcat), kafka-python and
 * Apache Kafka's Java client 4.0.0, each producing the same 200 records with gzip, snappy, lz4 and
 * zstd. The bytes were captured by `fixtures/capture-broker.ts` (a stub broker on this codebase's
 * codecs) and are kept in `fixtures/client-batches.json` with the requests each client sent.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeRecordBatch,
  encodeRecordBatch,
  readBatchHeader,
  verifyBatchCrc,
} from '../../src/protocol/record-batch.ts';

interface Fixture {
  records: string[];
  batches: { client: string; codec: string; requests: string[]; batch: string }[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/client-batches.json', import.meta.url), 'utf8')) as Fixture;
const expected = fixture.records.map((line) => line.split('\t'));

describe('batches compressed by real clients', () => {
  it('should hold a batch per client and codec', () => {
    expect(fixture.batches.map((b) => `${b.client} ${b.codec}`)).toEqual([
      'kcat (librdkafka) gzip',
      'kcat (librdkafka) snappy',
      'kcat (librdkafka) lz4',
      'kcat (librdkafka) zstd',
      'kafka-python gzip',
      'kafka-python snappy',
      'kafka-python lz4',
      'kafka-python zstd',
      'Apache Kafka Java client 4.0.0 gzip',
      'Apache Kafka Java client 4.0.0 snappy',
      'Apache Kafka Java client 4.0.0 lz4',
      'Apache Kafka Java client 4.0.0 zstd',
    ]);
    // The Java client spoke the flexible versions to the stub broker's codecs.
    expect(fixture.batches.at(-1)!.requests).toEqual([
      'ApiVersions v4',
      'Metadata v12',
      'InitProducerId v5',
      'Produce v11',
    ]);
  });

  it.each(fixture.batches.map((b) => [`${b.client} ${b.codec}`, b] as const))(
    '%s: decodes to the records the client sent',
    (_label, b) => {
      const bytes = Buffer.from(b.batch, 'base64');
      const header = readBatchHeader(bytes);
      expect(header.sizeInBytes).toBe(bytes.length);
      expect(header.compression).toBe(b.codec);
      expect(verifyBatchCrc(bytes)).toBe(true);
      // The Java client is idempotent by default: the producer id the stub broker handed out.
      expect(header.producerId).toBe(b.client.startsWith('Apache') ? 1000 : -1);
      const batch = decodeRecordBatch(bytes);
      expect(batch.records.map((r) => [Buffer.from(r.key!).toString(), Buffer.from(r.value!).toString()])).toEqual(
        expected,
      );
    },
  );

  it('should see both snappy forms: raw from librdkafka, xerial-framed from kafka-python and Java', () => {
    const start = (client: string): string => {
      const b = fixture.batches.find((x) => x.client.startsWith(client) && x.codec === 'snappy')!;
      return Buffer.from(b.batch, 'base64').subarray(61, 69).toString('hex');
    };
    expect(start('kafka-python')).toBe('82534e4150505900');
    expect(start('Apache Kafka Java')).toBe('82534e4150505900');
    expect(start('kcat')).not.toBe('82534e4150505900');
  });

  it.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)(
    'should re-encode the records with %s to a batch that decodes the same',
    (codec) => {
      const batch = decodeRecordBatch(Buffer.from(fixture.batches.find((b) => b.codec === codec)!.batch, 'base64'));
      const ours = encodeRecordBatch({
        baseOffset: 0,
        records: batch.records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })),
        compression: codec,
      });
      expect(decodeRecordBatch(ours).records.map((r) => Buffer.from(r.value!).toString())).toEqual(
        expected.map((e) => e[1]),
      );
    },
  );
});
