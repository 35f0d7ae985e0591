import type { Principal } from '../../domain/shared/principal.ts';

/** The org, job and contract the job, contract and task decider fixtures speak of, the subjects in them, and the time. */

export const orgId = '11111111-1111-4111-8111-111111111111';
export const otherOrgId = '22222222-2222-4222-8222-222222222222';
export const jobId = '55555555-5555-4555-8555-555555555555';
export const contractId = 'dddddddd-0000-4000-8000-000000000004';
export const assigneeId = 'aaaaaaaa-0000-4000-8000-000000000001';
export const verifierId = 'bbbbbbbb-0000-4000-8000-000000000002';
export const strangerId = 'cccccccc-0000-4000-8000-000000000003';

export const admin: Principal = { id: 'admin:a', kind: 'admin' };
export const system: Principal = { id: 'system', kind: 'system' };
export const asSubject = (subjectId: string): Principal => ({ id: subjectId, kind: 'subject' });
export const assignee = asSubject(assigneeId);
export const verifier = asSubject(verifierId);
export const stranger = asSubject(strangerId);

export const now = '2026-11-27T10:00:00.000Z';
