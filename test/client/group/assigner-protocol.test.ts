import { AssignerProtocol as KafkajsAssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { AssignerProtocol } from '../../../src/index.ts';

describe('AssignerProtocol (kafkajs)', () => {
  it("should write the same bytes as kafkajs's encoder and read kafkajs's bytes back", () => {
    const metadata = { version: 1, topics: ['orders', 'payments'], userData: Buffer.from('ud') };
    expect(AssignerProtocol.MemberMetadata.encode(metadata)).toEqual(
      KafkajsAssignerProtocol.MemberMetadata.encode(metadata),
    );
    expect(AssignerProtocol.MemberMetadata.decode(KafkajsAssignerProtocol.MemberMetadata.encode(metadata))).toEqual(
      metadata,
    );
    const assignment = { version: 0, assignment: { orders: [0, 2], payments: [1] }, userData: Buffer.alloc(0) };
    expect(AssignerProtocol.MemberAssignment.encode(assignment)).toEqual(
      KafkajsAssignerProtocol.MemberAssignment.encode(assignment),
    );
    expect(
      AssignerProtocol.MemberAssignment.decode(KafkajsAssignerProtocol.MemberAssignment.encode(assignment)),
    ).toEqual(assignment);
    expect(AssignerProtocol.MemberAssignment.decode(Buffer.alloc(0))).toBeNull();
  });
});
