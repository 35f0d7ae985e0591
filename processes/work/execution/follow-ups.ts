/** What the execution workflow decides on after a first step, from state read then. */
export type ExecutionFollowUp =
  /** A suspended subject's open jobs, from the read model once it has caught up with the suspension at `position`. */
  | { type: 'reassign-held-jobs'; subjectId: string; position: bigint; eventId: string }
  /** One job goes to someone else: escalated and resolved `reassign` by the platform, ids derived from `eventId`. */
  | { type: 'reassign'; jobId: string; reason: string; eventId: string };
