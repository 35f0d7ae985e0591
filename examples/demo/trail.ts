import type { Bus, Subscription } from '../../infra/bus/port.ts';

type Data = Record<string, unknown>;
const short = (id: unknown) => (typeof id === 'string' ? id.slice(0, 8) : '?');

/** One line per governance event of the org, as the platform fans them out on NATS (`agencygrid.events.<orgId>.>`). */
function describe(type: string, data: Data, names: ReadonlyMap<string, string>): string | null {
  const who = (id: unknown) => names.get(String(id)) ?? short(id);
  switch (type) {
    case 'JobSubmitted':
      return `job ${short(data.jobId)} submitted: "${String(data.goal)}"${data.deadline ? ` (deadline ${String(data.deadline)})` : ''}`;
    case 'AssignmentStarted':
      return `assignment by ${String(data.strategy)}`;
    case 'CandidatesAssessed': {
      const candidates = data.candidates as Array<{ subjectId: string; eligible: boolean; reasons: string[] }>;
      return `round ${String(data.round)} assessed: ${candidates.map((c) => `${who(c.subjectId)} ${c.eligible ? 'eligible' : `not eligible (${c.reasons.join('; ')})`}`).join(', ')}`;
    }
    case 'CallForProposalsIssued':
      return `call for proposals to ${(data.invitees as string[]).map(who).join(', ')} until ${String(data.closesAt).slice(11, 23)}`;
    case 'ProposalRecorded':
      return `bid from ${who(data.subjectId)}: ${JSON.stringify((data.bid as Data).price)} ${data.valid ? 'valid' : `refused (${(data.reasons as string[]).join('; ')})`}`;
    case 'AssignmentAwarded':
      return `awarded to ${who(data.subjectId)}: ${String(data.basis)}`;
    case 'AssignmentRoundFailed':
      return `round ${String(data.round)} failed: ${String(data.detail)}`;
    case 'ContractDrafted':
      return `contract ${short(data.contractId)} drafted: may ${(data.permittedActions as string[]).length} actions, tools [${(data.permittedTools as string[]).join(', ')}]`;
    case 'ContractSigned':
      return `contract ${short(data.contractId)} signed by the ${String(data.party)}`;
    case 'ContractActivated':
      return `contract ${short(data.contractId)} active`;
    case 'ContractBreached':
      return `BREACH of contract ${short(data.contractId)}: ${String(data.kind)} (${String(data.clause)}): ${String(data.details)}`;
    case 'JobAssigned':
      return `job ${short(data.jobId)} assigned to ${who(data.assigneeSubjectId)}`;
    case 'TaskDispatched':
      return `task ${short(data.taskId)} dispatched to ${who(data.assigneeSubjectId)} (attempt ${String(data.attempt)})`;
    case 'TaskToolUsed':
      return `task ${short(data.taskId)} used tool ${String(data.tool)}`;
    case 'TaskCompleted':
      return `task ${short(data.taskId)} completed`;
    case 'TaskAttemptFailed':
      return `task ${short(data.taskId)} attempt ${String(data.attempt)} failed: ${String(data.reason)}`;
    case 'JobDelivered':
      return `job ${short(data.jobId)} delivered: ${JSON.stringify(data.deliverable)}`;
    case 'JobVerified':
      return `job ${short(data.jobId)} VERIFIED by ${who((data.verifiedBy as Data).id)}`;
    case 'JobDeliveryRejected':
      return `job ${short(data.jobId)} delivery rejected: ${String(data.reason)}`;
    case 'JobEscalated':
      return `job ${short(data.jobId)} ESCALATED to role "${String(data.escalateTo)}": ${String(data.reason)}`;
    case 'JobEscalationResolved':
      return `job ${short(data.jobId)} escalation resolved: ${String(data.resolution)} -> ${String(data.status)}`;
    case 'JobCancelled':
      return `job ${short(data.jobId)} cancelled: ${String(data.reason)}`;
    case 'ContractFulfilled':
      return `contract ${short(data.contractId)} fulfilled`;
    case 'ContractTerminated':
      return `contract ${short(data.contractId)} terminated: ${String(data.reason)}`;
    default:
      return null;
  }
}

export async function printTrail(bus: Bus, orgId: string, names: ReadonlyMap<string, string>, seen: (type: string, data: Data) => void): Promise<Subscription> {
  return bus.subscribe(`agencygrid.events.${orgId}.>`, (message) => {
    const event = message.data as { type?: string; data?: Data };
    if (typeof event.type !== 'string' || event.data === undefined) return;
    seen(event.type, event.data);
    const line = describe(event.type, event.data, names);
    if (line) console.log(`${new Date().toISOString().slice(11, 23)}  ${line}`);
  });
}
