import { assignmentCommandSchema, type AssignmentCommand } from '../../domain/assignment/commands.ts';
import { assignmentDecider, assignmentStream } from '../../domain/assignment/decider.ts';
import { rosterDecider } from '../../domain/roster/decider.ts';
import { heldRoles } from '../../domain/roster/effective-roles.ts';
import { rosterStream } from '../../domain/roster/events.ts';
import { defineAggregate } from '../aggregate.ts';

const actions: Record<AssignmentCommand['type'], string> = {
  StartAssignment: 'assignment.start',
  RecordAssessment: 'assignment.assess',
  IssueCallForProposals: 'assignment.cfp.issue',
  RecordProposal: 'assignment.proposal.record',
  CloseRound: 'assignment.round.close',
  FailRound: 'assignment.round.fail',
  CompleteAssignment: 'assignment.complete',
  CancelAssignment: 'assignment.cancel',
  RestartAssignment: 'assignment.restart',
};

/**
 * The assignment saga's own stream per job (`assignment-<jobId>`). Its commands are issued by the platform's
 * assignment process as `system` (bids arrive through the agent gateway, which authenticates the bidder and records
 * the bid in the bidder's name), so an org's policy rarely needs to mention these actions.
 */
export const assignmentAggregate = defineAggregate({
  name: 'assignment',
  commandSchema: assignmentCommandSchema,
  decider: assignmentDecider,
  streamOf: (command) => assignmentStream(command.data.jobId),
  actionPerType: actions,
  async loadContext(command, reader, base) {
    if (command.type !== 'RecordProposal') return base;
    const roster = (await reader.load(rosterDecider, rosterStream(command.data.orgId))).state;
    return { ...base, bidderIsMember: heldRoles(roster, command.data.subjectId, base.now).size > 0 };
  },
});
