/** What the assignment workflow decides on after a first step, from state read then. */
export type AssignmentFollowUp =
  /** The round's candidates are assessed: read (roster, subjects, workloads) only once a round needs it. */
  | { type: 'assess-round'; jobId: string }
  /** The org has signed its side: the chosen agent is offered the contract as it now stands. */
  | { type: 'offer'; jobId: string; contractId: string; round: number; basis: string };
