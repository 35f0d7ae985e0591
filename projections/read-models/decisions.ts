import { z } from 'zod';
import { defineProjection } from '../projection.ts';
import { json, writeDocument } from '../read-model-writes.ts';
import type { EventDataOf, Stored } from './stored.ts';
import { asc, desc } from './index-fields.ts';

export const DECISIONS = 'decisions';

type Recorded = EventDataOf<'DecisionRecorded'>;

/** A decision's document: who, what, the outcome and why, what became of the command, where it is in the log. */
export type DecisionDocument = Stored<
  Pick<Recorded, 'orgId' | 'action' | 'outcome' | 'reasons' | 'determiningRuleIds' | 'escalateTo' | 'policy' | 'rosterRevision'> & {
    result: Recorded['result']['status'];
    refusal: Omit<Extract<Recorded['result'], { status: 'refused-by-structure' }>, 'status' | 'basis'> | null;
    principal: { id: string; kind: string; roles: string[] } | null;
    streamId: string;
    /** Zero-padded to 20 digits, so it sorts as a string. */
    position: string;
    occurredAt: string;
    commandType: string | null;
  }
>;

const requestPrincipal = z.object({ id: z.string(), kind: z.string(), roles: z.array(z.string()) });

/**
 * The audit log as a read model: one document per decision, permitted or denied, with who, what, the outcome and
 * why (reasons, determining rules, policy version), and what became of the command: `result` (applied,
 * refused-by-policy, refused-by-structure, unrecorded) and, for a structural refusal, `refusal` (kind, code,
 * message). `position` is zero-padded so it sorts as a string.
 */
export const decisionsProjection = defineProjection({
  name: 'decisions',
  // 2: `result` and `refusal` (DecisionRecorded v2).
  version: 2,
  eventTypes: ['DecisionRecorded'],
  collections: [DECISIONS],
  async setup({ docs }) {
    await docs.ensureIndex(DECISIONS, { name: 'decisions_org_position', fields: [asc('orgId'), desc('position')] });
    await docs.ensureIndex(DECISIONS, { name: 'decisions_org_outcome', fields: [asc('orgId'), asc('outcome')] });
    await docs.ensureIndex(DECISIONS, { name: 'decisions_org_result', fields: [asc('orgId'), asc('result')] });
    await docs.ensureIndex(DECISIONS, { name: 'decisions_principal', fields: [asc('principal.id')] });
  },
  async apply(event, { docs }) {
    const { data } = event;
    const principal = requestPrincipal.safeParse(data.request.principal);
    await writeDocument(docs, DECISIONS, data.decisionId, event.position, () => ({
      orgId: data.orgId,
      action: data.action,
      outcome: data.outcome,
      result: data.result.status,
      refusal: data.result.status === 'refused-by-structure' ? { kind: data.result.kind, code: data.result.code, message: data.result.message } : null,
      principal: principal.success ? json(principal.data) : null,
      reasons: data.reasons,
      determiningRuleIds: data.determiningRuleIds,
      escalateTo: data.escalateTo,
      policy: json(data.policy),
      rosterRevision: data.rosterRevision,
      streamId: event.streamId,
      position: event.position.toString().padStart(20, '0'),
      occurredAt: String(event.metadata.occurredAt),
      commandType: typeof event.metadata.commandType === 'string' ? event.metadata.commandType : null,
    }));
  },
});
