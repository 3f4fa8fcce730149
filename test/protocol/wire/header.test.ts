import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../../src/errors.ts';
import { API } from '../../../src/protocol/messages/index.ts';
import {
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeRequestChunks,
  encodeResponse,
  encodeResponseChunks,
  peekCorrelationId,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../../src/protocol/wire/header.ts';

const hex = (s: string): string => s.replace(/\s+/g, '');

describe('request and response headers', () => {
  it('should pick header versions from flexibility, ApiVersions responses always v0', () => {
    expect([requestHeaderVersion(API.Metadata, 8), requestHeaderVersion(API.Metadata, 9)]).toEqual([1, 2]);
    expect([responseHeaderVersion(API.Metadata, 8), responseHeaderVersion(API.Metadata, 9)]).toEqual([0, 1]);
    expect([requestHeaderVersion(API.ApiVersions, 3), responseHeaderVersion(API.ApiVersions, 3)]).toEqual([2, 0]);
  });

  it('should write request header v1: key, version, correlation id, client id', () => {
    const frame = encodeRequest(API.Heartbeat, 3, 7, 'cli', {
      groupId: 'g',
      generationId: 1,
      memberId: 'm',
      groupInstanceId: null,
    });
    expect(frame.toString('hex')).toBe(hex('00000019  000c 0003 00000007 0003 636c69  0001 67 00000001 0001 6d ffff'));
    expect(decodeRequestHeader(frame.subarray(4))).toEqual({
      apiKey: 12,
      apiVersion: 3,
      correlationId: 7,
      clientId: 'cli',
      bodyOffset: 13,
    });
  });

  it('should write request header v2 with a non-compact client id and a tag section', () => {
    const frame = encodeRequest(API.ApiVersions, 3, 1, null, { clientSoftwareName: 'a', clientSoftwareVersion: 'b' });
    expect(frame.toString('hex')).toBe(hex('00000010  0012 0003 00000001 ffff 00  02 61 02 62 00'));
    const header = decodeRequestHeader(frame.subarray(4));
    expect(header).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: null, bodyOffset: 11 });
    expect(API.ApiVersions.decodeRequest(3, frame.subarray(4 + header.bodyOffset))).toEqual({
      clientSoftwareName: 'a',
      clientSoftwareVersion: 'b',
    });
  });

  it('should skip unknown tagged fields in a v2 request header', () => {
    const frame = Buffer.from(hex('0012 0003 00000001 0001 78  01 05 02 aaaa  02 61 02 62 00'), 'hex');
    const header = decodeRequestHeader(frame);
    expect(header.bodyOffset).toBe(16);
    expect(header.clientId).toBe('x');
  });

  it('should read the header of an ApiVersions version newer than any it knows, so it can answer with v0 (KIP-511)', () => {
    // A future client's ApiVersions v9: header v2 (flexible), body unknown.
    const frame = Buffer.from(hex('0012 0009 00000007 0003 636c69 00  05 6e657874 02 39 00'), 'hex');
    const header = decodeRequestHeader(frame);
    expect(header).toEqual({ apiKey: 18, apiVersion: 9, correlationId: 7, clientId: 'cli', bodyOffset: 14 });
    expect(() => API.ApiVersions.decodeRequest(9, frame.subarray(header.bodyOffset))).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    // The answer: the v0 body with UNSUPPORTED_VERSION and ApiVersions' own range, under header v0.
    const answer = encodeResponse(API.ApiVersions, 0, 7, {
      errorCode: 35,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
    });
    expect(answer.toString('hex')).toBe(hex('00000010 00000007  0023 00000001 0012 0000 0004'));
  });

  it('should read an unknown API key as header v1 so it can be answered', () => {
    const frame = Buffer.from(hex('7fff 0000 0000002a ffff 01 02 03'), 'hex');
    expect(decodeRequestHeader(frame)).toEqual({
      apiKey: 0x7fff,
      apiVersion: 0,
      correlationId: 42,
      clientId: null,
      bodyOffset: 10,
    });
  });

  it('should write ApiVersions v3 responses under header v0 and others under v1 when flexible', () => {
    const av = encodeResponse(API.ApiVersions, 3, 5, {
      errorCode: 0,
      apiKeys: [],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
    expect(av.toString('hex')).toBe(hex('0000000c 00000005  0000 01 00000000 00'));
    const hb = encodeResponse(API.Heartbeat, 4, 6, { throttleTimeMs: 0, errorCode: 27 });
    expect(hb.toString('hex')).toBe(hex('0000000c 00000006 00  00000000 001b 00'));
    expect(decodeResponse(API.Heartbeat, 4, hb.subarray(4))).toEqual({
      correlationId: 6,
      body: { throttleTimeMs: 0, errorCode: 27 },
    });
    expect(decodeResponse(API.ApiVersions, 3, av.subarray(4)).body.apiKeys).toEqual([]);
    expect(peekCorrelationId(hb.subarray(4))).toBe(6);
  });

  it('should throw CORRUPT_MESSAGE on a truncated header', () => {
    for (const bytes of ['', '00', '000c0003', '000c000300000007', '000c00030000000700']) {
      expect(() => decodeRequestHeader(Buffer.from(bytes, 'hex'))).toThrow(TributaryError);
    }
    expect(() => decodeRequestHeader(Buffer.from('000c000300000007 0005 6162', 'hex'))).toThrowError(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });

  it('should hand out a Fetch response as segments that reference the record sets, not copies', () => {
    const records = [Buffer.alloc(5000, 1), Buffer.alloc(3000, 2), Buffer.from('small')];
    const body = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 't',
          topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
          partitions: records.map((r, i) => ({
            partitionIndex: i,
            errorCode: 0,
            highWatermark: 10,
            lastStableOffset: 10,
            logStartOffset: 0,
            divergingEpoch: { epoch: -1, endOffset: -1 },
            currentLeader: { leaderId: -1, leaderEpoch: -1 },
            snapshotId: { endOffset: -1, epoch: -1 },
            abortedTransactions: [],
            preferredReadReplica: -1,
            records: r,
          })),
        },
      ],
      nodeEndpoints: [],
    };
    for (const v of [4, 11, 12]) {
      const whole = encodeResponse(API.Fetch, v, 3, body);
      const chunks = encodeResponseChunks(API.Fetch, v, 3, body);
      expect(Buffer.concat(chunks).equals(whole)).toBe(true);
      expect(chunks).toContain(records[0]);
      expect(chunks).toContain(records[1]);
      expect(chunks).not.toContain(records[2]); // small byte fields are copied inline
      expect(whole.readInt32BE(0)).toBe(whole.length - 4);
      const back = decodeResponse(API.Fetch, v, whole.subarray(4)).body;
      expect(back.responses[0]!.partitions.map((p) => p.records)).toEqual(records);
    }
  });

  it('should hand out a Produce request as segments that reference its batches', () => {
    const batch = Buffer.alloc(4096, 9);
    const body = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: batch }] }],
    };
    for (const v of [3, 9]) {
      const chunks = encodeRequestChunks(API.Produce, v, 5, 'c', body);
      expect(chunks).toContain(batch);
      const frame = Buffer.concat(chunks);
      expect(frame.equals(encodeRequest(API.Produce, v, 5, 'c', body))).toBe(true);
      const header = decodeRequestHeader(frame.subarray(4));
      expect(
        API.Produce.decodeRequest(v, frame.subarray(4 + header.bodyOffset)).topicData[0]!.partitionData[0]!.records,
      ).toEqual(batch);
    }
  });
});
