import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGENT_INBOX_KINDS,
  WORK_REQUEST_KINDS,
  agentBusPermissions,
  agentInboxSubject,
  agentReplyPrefix,
  workRequestSubject,
} from '../../domain/agent-protocol/subjects.ts';
import { patternsOverlap, subjectMatches } from '../../infra/bus/subjects.ts';

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
const agent = fc.record({ subjectId: fc.uuid(), keyId: token });
const allowed = (patterns: string[], subject: string) => patterns.some((pattern) => subjectMatches(pattern, subject));

describe("an agent's bus permissions reach its own subjects and nobody else's", () => {
  it('lets it publish its own requests and read its own inbox and replies', () => {
    fc.assert(
      fc.property(agent, fc.constantFrom(...WORK_REQUEST_KINDS), fc.constantFrom(...AGENT_INBOX_KINDS), token, ({ subjectId, keyId }, work, inbox, nuid) => {
        const { pub, sub } = agentBusPermissions(subjectId, keyId);
        expect(allowed(pub.allow, workRequestSubject(subjectId, keyId, work))).toBe(true);
        expect(allowed(sub.allow, agentInboxSubject(subjectId, inbox))).toBe(true);
        expect(allowed(sub.allow, `${agentReplyPrefix(subjectId)}.${nuid}`)).toBe(true);
      }),
    );
  });

  it("never overlaps another agent's subjects, another key's requests, the platform's events or inboxes, or the server's", () => {
    fc.assert(
      fc.property(agent, agent, fc.constantFrom(...WORK_REQUEST_KINDS), fc.constantFrom(...AGENT_INBOX_KINDS), (me, other, work, inbox) => {
        fc.pre(me.subjectId !== other.subjectId && me.keyId !== other.keyId);
        const { pub, sub } = agentBusPermissions(me.subjectId, me.keyId);
        const everything = [...pub.allow, ...sub.allow];
        const foreign = [
          agentInboxSubject(other.subjectId, inbox),
          workRequestSubject(other.subjectId, other.keyId, work),
          // Its own id with a key that is not the one these credentials were issued for.
          workRequestSubject(me.subjectId, other.keyId, work),
          `${agentReplyPrefix(other.subjectId)}.x`,
          'agencygrid.events.platform.subject.SubjectRegistered',
          '_INBOX.x',
          '$JS.API.STREAM.LIST',
          '$SYS.REQ.SERVER.PING',
        ];
        for (const subject of foreign) expect(allowed(everything, subject), subject).toBe(false);
        // Nor may it publish into any inbox, its own included: only the platform dispatches.
        expect(pub.allow.some((pattern) => patternsOverlap(pattern, 'agencygrid.agent.>'))).toBe(false);
      }),
    );
  });

  it('refuses ids that would widen the grant', () => {
    const widening: Array<[subjectId: string, keyId: string]> = [
      ['>', 'k'],
      ['*', 'k'],
      ['a.b', 'k'],
      ['00000000-0000-4000-8000-000000000001', '>'],
      ['00000000-0000-4000-8000-000000000001', ''],
    ];
    for (const [subjectId, keyId] of widening) {
      expect(() => agentBusPermissions(subjectId, keyId), `${subjectId} ${keyId}`).toThrow(TypeError);
    }
  });
});
