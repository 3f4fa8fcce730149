/**
 * Produce (key 0): record batches for partitions. Versions 0-12, flexible from 9; v12 (Kafka 4.0)
 * is v11 with KIP-890's implicit partition adding for transactions. Records stay the raw
 * RecordBatch (or legacy MessageSet, v0-2) bytes as sent: a decoded request holds views into the
 * frame, not copies.
 *
 * ```
 * ProduceRequest
 *   transactional_id        nullable string                v3+
 *   acks                    int16
 *   timeout_ms              int32
 *   topic_data              [TopicProduceData]
 *     name                  string
 *     partition_data        [PartitionProduceData]
 *       index               int32
 *       records             nullable records (int32 length; compact v9+)
 *
 * ProduceResponse
 *   responses               [TopicProduceResponse]
 *     name                  string
 *     partition_responses   [PartitionProduceResponse]
 *       index               int32
 *       error_code          int16
 *       base_offset         int64
 *       log_append_time_ms  int64 (default -1)             v2+
 *       log_start_offset    int64 (default -1)             v5+
 *       record_errors       [BatchIndexAndErrorMessage]    v8+
 *         batch_index                int32
 *         batch_index_error_message  nullable string
 *       error_message       nullable string                v8+
 *       current_leader      LeaderIdAndEpoch               v10+ tag 0
 *         leader_id         int32 (default -1)
 *         leader_epoch      int32 (default -1)
 *   throttle_time_ms        int32                          v1+
 *   node_endpoints          [NodeEndpoint]                 v10+ tag 0
 *     node_id               int32
 *     host                  string
 *     port                  int32
 *     rack                  nullable string
 * ```
 *
 * @example
 * const req = produce.decodeRequest(7, body);
 * for (const t of req.topicData) for (const p of t.partitionData) append(t.name, p.index, p.records);
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const ProduceRequest = message({
  valid: '0-12',
  flexible: '9+',
  fields: [
    f.nstring('transactionalId', '3+', '3+'),
    f.int16('acks', '0+'),
    f.int32('timeoutMs', '0+'),
    f.array('topicData', '0+', [
      f.string('name', '0+'),
      f.array('partitionData', '0+', [f.int32('index', '0+'), f.nrecords('records', '0+', '0+')]),
    ]),
  ],
});
export type ProduceRequest = MessageOf<typeof ProduceRequest>;

export const ProduceResponse = message({
  valid: '0-12',
  flexible: '9+',
  fields: [
    f.array('responses', '0+', [
      f.string('name', '0+'),
      f.array('partitionResponses', '0+', [
        f.int32('index', '0+'),
        f.int16('errorCode', '0+'),
        f.int64('baseOffset', '0+'),
        f.int64('logAppendTimeMs', '2+', { default: -1 }),
        f.int64('logStartOffset', '5+', { default: -1 }),
        f.array('recordErrors', '8+', [f.int32('batchIndex', '8+'), f.nstring('batchIndexErrorMessage', '8+', '8+')]),
        f.nstring('errorMessage', '8+', '8+'),
        f.struct(
          'currentLeader',
          '10+',
          [f.int32('leaderId', '10+', { default: -1 }), f.int32('leaderEpoch', '10+', { default: -1 })],
          { tag: 0 },
        ),
      ]),
    ]),
    f.int32('throttleTimeMs', '1+'),
    f.array(
      'nodeEndpoints',
      '10+',
      [f.int32('nodeId', '10+'), f.string('host', '10+'), f.int32('port', '10+'), f.nstring('rack', '10+', '10+')],
      { tag: 0 },
    ),
  ],
});
export type ProduceResponse = MessageOf<typeof ProduceResponse>;

/** Produce, key 0. */
export const produce = api(0, 'Produce', ProduceRequest, ProduceResponse);
