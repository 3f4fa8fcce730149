/**
 * SyncGroup (key 14): the leader's assignments are handed out as the leader encoded them; an
 * in-process member of the same group gets them decoded. Members wait until the leader has synced.
 */
import { API } from '../../protocol/messages/index.ts';
import type { Assignment } from '../../client/group/assignors.ts';
import { decodeAssignment } from '../consumer-protocol.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

const EMPTY = Buffer.alloc(0);

export const syncGroupHandler = handler(API.SyncGroup, async (broker, req) => {
  const decoded = new Map<string, Assignment>();
  const raw = new Map<string, Uint8Array>();
  for (const a of req.assignments) {
    raw.set(a.memberId, a.assignment);
    decoded.set(a.memberId, decodeAssignment(a.assignment) ?? {});
  }
  try {
    await broker.coordinator.syncGroup({
      groupId: req.groupId,
      memberId: req.memberId,
      generationId: req.generationId,
      assignments: req.assignments.length > 0 ? decoded : undefined,
      rawAssignments: raw,
      groupInstanceId: req.groupInstanceId ?? undefined,
    });
    const bytes = broker.coordinator.assignmentBytes(req.groupId, req.memberId);
    return {
      throttleTimeMs: 0,
      errorCode: KafkaCode.NONE,
      protocolType: req.protocolType,
      protocolName: req.protocolName,
      assignment: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    };
  } catch (err) {
    return {
      throttleTimeMs: 0,
      errorCode: kafkaCodeOf(err),
      protocolType: null,
      protocolName: null,
      assignment: EMPTY,
    };
  }
});
