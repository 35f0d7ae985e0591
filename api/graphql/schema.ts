import { STREAM_CATEGORIES } from '../../domain/events/stream-categories.ts';

/**
 * The GraphQL read API's schema (SDL). Everything here is read from the read models (projections of the log) and
 * every org-scoped field is decided by the policy engine, like the REST reads: `org.read` (an org's profile),
 * `roster.read` (roles, groups, job spaces, conflicts, associations, applications, effective roles), `policy.read`
 * (policy versions), `audit.read` (decisions), `job.read` (jobs, workloads, contracts, tasks, assignments, bids,
 * escalations), and `subject.read` (subjects, platform-level). See api/graphql/README.md.
 */
export const schema = /* GraphQL */ `
"""
Any JSON value (event payloads and metadata).
"""
scalar JSON

enum OrgStatus {
  ACTIVE
  SUSPENDED
  ARCHIVED
}

enum SubjectKind {
  AGENT
  HUMAN
  SERVICE
}

enum SubjectStatus {
  ACTIVE
  SUSPENDED
}

enum PrincipalKind {
  ADMIN
  SUBJECT
  SYSTEM
}

enum AssociationStatus {
  ACTIVE
  REVOKED
  EXPIRED
}

enum ApplicationStatus {
  PENDING
  APPROVED
  REJECTED
}

enum AssignmentType {
  FIXED
  DYNAMIC_SINGLE_SUBJECT
  DYNAMIC_MULTI_SUBJECT
}

enum PolicyStatus {
  DRAFT
  PUBLISHED
  SUPERSEDED
}

enum PolicyEffect {
  PERMIT
  FORBID
}

enum PolicySource {
  ORG
  DEFAULT
  NONE
}

enum DecisionOutcome {
  PERMITTED
  FORBIDDEN
  NOT_PERMITTED
}

"What became of a governed command: applied with the decision, refused by policy, refused by the org's structure after the policy permitted it, or unrecorded (a decision recorded before results were)."
enum DecisionResult {
  APPLIED
  REFUSED_BY_POLICY
  REFUSED_BY_STRUCTURE
  UNRECORDED
}

enum OrgOrder {
  SLUG_ASC
  SLUG_DESC
  NAME_ASC
  NAME_DESC
  REGISTERED_AT_ASC
  REGISTERED_AT_DESC
}

enum SubjectOrder {
  DISPLAY_NAME_ASC
  DISPLAY_NAME_DESC
  REGISTERED_AT_ASC
  REGISTERED_AT_DESC
}

enum AssociationOrder {
  GRANTED_AT_ASC
  GRANTED_AT_DESC
}

enum DecisionOrder {
  NEWEST_FIRST
  OLDEST_FIRST
}

enum JobStatus {
  SUBMITTED
  CONTRACTING
  ASSIGNED
  IN_PROGRESS
  DELIVERED
  VERIFIED
  REJECTED
  FAILED
  CANCELLED
  ESCALATED
}

enum JobPriority {
  LOW
  NORMAL
  HIGH
  CRITICAL
}

enum CompletionMode {
  SINGLE
  ALL_TASKS
  VERIFIED
}

enum AssignmentStrategy {
  DIRECT
  CRITERIA
  AUCTION
}

"By submission time."
enum JobOrder {
  NEWEST_FIRST
  OLDEST_FIRST
}

"Contracts by drafting time, tasks by creation time, escalations by escalation time."
enum WorkOrder {
  NEWEST_FIRST
  OLDEST_FIRST
}

enum ContractStatus {
  IN_REVIEW
  AWAITING_SIGNATURES
  ACTIVE
  FULFILLED
  TERMINATED
  REJECTED
}

enum ContractParty {
  ORG
  ASSIGNEE
}

enum BreachKind {
  DEADLINE_MISSED
  FORBIDDEN_ACTION
}

enum TaskStatus {
  PENDING
  DISPATCHED
  IN_PROGRESS
  COMPLETED
  ACCEPTED
  REJECTED
  RETRYING
  FAILED
  CANCELLED
}

enum TaskReviewVerdict {
  ACCEPT
  REJECT
}

enum AssignmentPhase {
  ASSESSING
  BIDDING
  AWARDED
  COMPLETED
  ESCALATED
  CANCELLED
}

enum RoundFailureReason {
  NO_ELIGIBLE_CANDIDATES
  NO_VALID_BIDS
  CONTRACT_REJECTED
  ASSIGNEE_LOST
}

enum EscalationResolution {
  RESUME
  EXTEND
  CANCEL
  REASSIGN
}

enum EffectiveRolesSource {
  "Read from the hot-path cache (Redis or in-process), as fresh as the read model it was computed from."
  CACHE
  "Computed from the read models (associations, roles, groups) for this request."
  READ_MODEL
}

"Relay-style page information."
type PageInfo {
  hasNextPage: Boolean!
  "Pass as \`after\` to get the next page. Null when the page is empty."
  endCursor: String
}

type Principal {
  id: String!
  kind: PrincipalKind!
}

type MetadataEntry {
  key: String!
  value: String!
}

"An organization (agency). Action \`org.read\`."
type Org {
  id: ID!
  name: String!
  slug: String!
  description: String!
  tags: [String!]!
  metadata: [MetadataEntry!]!
  status: OrgStatus!
  "Why the org is suspended or archived; null while active."
  statusReason: String
  owner: Principal!
  parentOrgId: ID
  registeredAt: String!
  updatedAt: String!
  "Global log position of the last event reflected in this document."
  position: String!
  "The parent org (null if none; null with a POLICY_DENIED error if you may not read it)."
  parent: Org
  "Child orgs you may read (the others are left out)."
  children(first: Int, after: String, orderBy: OrgOrder): OrgConnection
  "\`roster.read\`"
  roles(filter: RoleFilter, first: Int, after: String): RoleConnection
  "\`roster.read\`"
  groups(first: Int, after: String): GroupConnection
  "\`roster.read\`"
  jobSpaces(first: Int, after: String): JobSpaceConnection
  "\`roster.read\`"
  roleConflicts(first: Int, after: String): RoleConflictConnection
  "\`roster.read\`"
  associations(filter: AssociationFilter, first: Int, after: String, orderBy: AssociationOrder): AssociationConnection
  "\`roster.read\`"
  applications(filter: RoleApplicationFilter, first: Int, after: String): RoleApplicationConnection
  "\`roster.read\`: the effective roles of a subject in this org, now."
  effectiveRoles(subjectId: ID!, jobSpace: String): EffectiveRoles
  "\`policy.read\`: the org's policy versions, oldest first."
  policies(filter: PolicyVersionFilter, first: Int, after: String): PolicyVersionConnection
  "\`policy.read\`: the version in force (null while the default policy applies)."
  publishedPolicy: PolicyVersion
  "\`audit.read\`: the org's recorded decisions."
  decisions(filter: DecisionFilter, first: Int, after: String, orderBy: DecisionOrder): DecisionConnection
  "\`job.read\`: the org's jobs (newest first by default)."
  jobs(filter: JobFilter, first: Int, after: String, orderBy: JobOrder): JobConnection
}

type OrgEdge {
  cursor: String!
  node: Org!
}

type OrgConnection {
  edges: [OrgEdge!]!
  pageInfo: PageInfo!
}

type CapabilityVerification {
  by: String!
  orgId: ID!
  at: String!
}

type Capability {
  name: String!
  level: Int!
  evidence: String
  verified: CapabilityVerification
  verifiedIn: [CapabilityVerification!]!
}

"An agent, human or service. Action \`subject.read\` (platform level: admins read every subject, a subject itself)."
type Subject {
  id: ID!
  kind: SubjectKind!
  displayName: String!
  description: String!
  endpoint: String
  status: SubjectStatus!
  statusReason: String
  capabilities: [Capability!]!
  registeredBy: Principal!
  registeredAt: String!
  updatedAt: String!
  position: String!
  "The subject's associations in orgs whose roster you may read (\`roster.read\`; the others are left out)."
  associations(filter: AssociationFilter, first: Int, after: String, orderBy: AssociationOrder): AssociationConnection
}

type SubjectEdge {
  cursor: String!
  node: Subject!
}

type SubjectConnection {
  edges: [SubjectEdge!]!
  pageInfo: PageInfo!
}

type CapabilityRequirement {
  name: String!
  level: Int!
  verified: Boolean!
}

type Role {
  "\`<orgId>:<name>\`"
  id: ID!
  orgId: ID!
  org: Org
  name: String!
  description: String!
  permissions: [String!]!
  minHolders: Int!
  "Null: no limit."
  maxHolders: Int
  assignmentType: AssignmentType!
  requiredCapabilities: [CapabilityRequirement!]!
  "Names of the roles this one inherits."
  inherits: [String!]!
  "The roles this one inherits (those still defined)."
  inheritedRoles: [Role!]!
  definedAt: String!
  updatedAt: String!
  position: String!
  "Associations granting this role; by default only those in force now."
  holders(first: Int, after: String, includeInactive: Boolean = false): AssociationConnection
}

type RoleEdge {
  cursor: String!
  node: Role!
}

type RoleConnection {
  edges: [RoleEdge!]!
  pageInfo: PageInfo!
}

type Group {
  id: ID!
  orgId: ID!
  name: String!
  description: String!
  parentName: String
  parent: Group
  roleNames: [String!]!
  roles: [Role!]!
  position: String!
}

type GroupEdge {
  cursor: String!
  node: Group!
}

type GroupConnection {
  edges: [GroupEdge!]!
  pageInfo: PageInfo!
}

type JobSpace {
  id: ID!
  orgId: ID!
  name: String!
  description: String!
  position: String!
}

type JobSpaceEdge {
  cursor: String!
  node: JobSpace!
}

type JobSpaceConnection {
  edges: [JobSpaceEdge!]!
  pageInfo: PageInfo!
}

"Separation of duties: no subject may hold both roles."
type RoleConflict {
  id: ID!
  orgId: ID!
  roles: [String!]!
  reason: String!
  position: String!
}

type RoleConflictEdge {
  cursor: String!
  node: RoleConflict!
}

type RoleConflictConnection {
  edges: [RoleConflictEdge!]!
  pageInfo: PageInfo!
}

"A role granted to a subject in an org (optionally within a job space, until an expiry)."
type Association {
  id: ID!
  orgId: ID!
  org: Org
  subjectId: ID!
  "The subject (\`subject.read\`: null with a POLICY_DENIED error when you may not read it; \`subjectId\` is always there)."
  subject: Subject
  role: String!
  roleDefinition: Role
  jobSpace: String
  expiresAt: String
  parentSubjectId: ID
  grantedBy: Principal!
  grantedAt: String!
  applicationId: ID
  status: AssociationStatus!
  "Counts now: status ACTIVE and not past its expiry."
  active: Boolean!
  endedAt: String
  endReason: String
  position: String!
}

type AssociationEdge {
  cursor: String!
  node: Association!
}

type AssociationConnection {
  edges: [AssociationEdge!]!
  pageInfo: PageInfo!
}

type RoleApplication {
  id: ID!
  orgId: ID!
  subjectId: ID!
  subject: Subject
  role: String!
  jobSpace: String
  motivation: String!
  appliedBy: Principal!
  appliedAt: String!
  status: ApplicationStatus!
  decidedAt: String
  associationId: ID
  rejectionReason: String
  position: String!
}

type RoleApplicationEdge {
  cursor: String!
  node: RoleApplication!
}

type RoleApplicationConnection {
  edges: [RoleApplicationEdge!]!
  pageInfo: PageInfo!
}

type PolicyRule {
  id: String!
  effect: PolicyEffect!
  actions: [String!]!
  roles: [String!]
  when: String
  unless: String
  reason: String!
  escalateTo: String
}

type PolicyVersion {
  id: ID!
  orgId: ID!
  version: Int!
  description: String!
  hash: String!
  status: PolicyStatus!
  rules: [PolicyRule!]!
  draftedAt: String!
  publishedAt: String
  position: String!
}

type PolicyVersionEdge {
  cursor: String!
  node: PolicyVersion!
}

type PolicyVersionConnection {
  edges: [PolicyVersionEdge!]!
  pageInfo: PageInfo!
}

type DecisionPrincipal {
  id: String!
  kind: String!
  "Effective roles at the instant of the decision."
  roles: [String!]!
}

"The org's structure refused a command its policy permitted: the error the caller got."
type DecisionRefusal {
  "conflict, forbidden or unprocessable"
  kind: String!
  "e.g. ROLE_MAX_HOLDERS, ROLE_CONFLICT"
  code: String!
  message: String!
}

type DecisionPolicy {
  source: PolicySource!
  version: Int
  hash: String!
}

"A recorded governance decision (the audit log). Action \`audit.read\`."
type Decision {
  id: ID!
  orgId: ID
  org: Org
  action: String!
  "The policy's answer."
  outcome: DecisionOutcome!
  "What became of the command."
  result: DecisionResult!
  "For REFUSED_BY_STRUCTURE: the refusal."
  refusal: DecisionRefusal
  principal: DecisionPrincipal
  reasons: [String!]!
  determiningRuleIds: [String!]!
  escalateTo: String
  policy: DecisionPolicy!
  rosterRevision: Int
  "Where it was recorded: the changed stream when permitted, audit-<orgId> when denied."
  streamId: String!
  "Global log position of the decision."
  position: String!
  occurredAt: String!
  commandType: String
}

type DecisionEdge {
  cursor: String!
  node: Decision!
}

type DecisionConnection {
  edges: [DecisionEdge!]!
  pageInfo: PageInfo!
}

type JobCapabilityRequirement {
  name: String!
  level: Int!
}

type Budget {
  amount: Float!
  "ISO 4217 code"
  currency: String!
}

type JobDelivery {
  "The work product (any JSON value but null)."
  deliverable: JSON!
  note: String
  deliveredBy: Principal!
  deliveredAt: String!
}

type JobVerification {
  verifiedBy: Principal!
  note: String
  verifiedAt: String!
}

"An open escalation: the job is on hold until it is resolved (or cancelled)."
type JobEscalation {
  reason: String!
  "The role the escalation goes to."
  escalateTo: String!
  "Where \`resume\` returns the job."
  from: JobStatus!
  escalatedBy: Principal!
  escalatedAt: String!
}

"A job submitted to an org (lifecycle: domain/job/README.md). Action \`job.read\`."
type Job {
  id: ID!
  orgId: ID!
  org: Org
  status: JobStatus!
  goal: String!
  objectives: [String!]!
  priority: JobPriority!
  completionMode: CompletionMode!
  deadline: String
  requiredCapabilities: [JobCapabilityRequirement!]!
  requiredRoles: [String!]!
  "What the result should look like (free JSON, carried for the contract and the verifier)."
  outputTemplate: JSON
  verifierSubjectIds: [ID!]!
  budget: Budget
  "Null: the org's configured strategy applies."
  assignmentStrategy: AssignmentStrategy
  directAssignee: ID
  submittedBy: Principal!
  submittedAt: String!
  "Null until assigned, and again after a reassignment."
  assigneeSubjectId: ID
  "The assignee (\`subject.read\`: null with a POLICY_DENIED error when you may not read it; \`assigneeSubjectId\` is always there)."
  assignee: Subject
  contractId: ID
  delivery: JobDelivery
  verification: JobVerification
  escalation: JobEscalation
  "Why the job was rejected, failed or cancelled."
  statusReason: String
  "The job stream revision (the If-Match of its commands)."
  revision: Int!
  updatedAt: String!
  "When the job reached a final status (verified, rejected, failed, cancelled)."
  closedAt: String
  position: String!
  "The contract the job is assigned under (\`contractId\`; null until assigned)."
  contract: Contract
  "Every contract drafted for the job (refused ones too), newest first."
  contracts(first: Int, after: String): ContractConnection
  "The job's tasks, newest first."
  tasks(filter: TaskFilter, first: Int, after: String): TaskConnection
  "How the job is being (or was) assigned: rounds, award, failures (null before the assignment saga took it up)."
  assignment: Assignment
  "The job's escalations, newest first."
  escalations(filter: EscalationFilter, first: Int, after: String): EscalationConnection
}

type JobEdge {
  cursor: String!
  node: Job!
}

type JobConnection {
  edges: [JobEdge!]!
  pageInfo: PageInfo!
}

"A subject's open assignments in an org: jobs assigned to it that are not in a final status (escalated ones count)."
type Workload {
  orgId: ID!
  subjectId: ID!
  "The subject (\`subject.read\`: null with a POLICY_DENIED error when you may not read it)."
  subject: Subject
  openAssignments: Int!
  openJobIds: [ID!]!
  updatedAt: String!
  position: String!
}

type ContractObligation {
  obligationId: String!
  description: String!
  "UTC; ExtendObligation and an \`extend\` resolution move it later."
  dueAt: String!
}

type ContractSignature {
  signedBy: Principal!
  signedAt: String!
}

"Each party's signature (null until it signed); the second activates the contract."
type ContractSignatures {
  org: ContractSignature
  assignee: ContractSignature
}

type ContractReview {
  approved: Boolean!
  note: String
  reviewedBy: Principal!
  reviewedAt: String!
}

type ContractRejection {
  party: ContractParty!
  reason: String!
  rejectedBy: Principal!
  rejectedAt: String!
}

type ContractBreach {
  breachId: String!
  kind: BreachKind!
  "The clause breached, e.g. \`permittedTools\` or \`obligations.delivery\`."
  clause: String!
  details: String!
  recordedBy: Principal!
  recordedAt: String!
}

"The terms a job's assignee works under (domain/contract/README.md). Action \`job.read\`."
type Contract {
  id: ID!
  orgId: ID!
  org: Org
  jobId: ID!
  job: Job
  assigneeSubjectId: ID!
  "The assignee (\`subject.read\`: null with a POLICY_DENIED error when you may not read it)."
  assignee: Subject
  verifierSubjectIds: [ID!]!
  status: ContractStatus!
  "Action patterns (policy globs) the assignee may perform under the contract."
  permittedActions: [String!]!
  "Tool names the assignee may use."
  permittedTools: [String!]!
  deliverables: [String!]!
  obligations: [ContractObligation!]!
  "The role breaches escalate to."
  escalateTo: String
  reviewRequired: Boolean!
  review: ContractReview
  signatures: ContractSignatures!
  "The latest breaches (at most 50; \`breachCount\` counts them all)."
  breaches: [ContractBreach!]!
  breachCount: Int!
  rejection: ContractRejection
  "Why the contract was rejected or terminated."
  statusReason: String
  draftedBy: Principal!
  draftedAt: String!
  activatedAt: String
  "When it became final (fulfilled, terminated, rejected)."
  endedAt: String
  "The contract stream revision (the If-Match of its commands)."
  revision: Int!
  updatedAt: String!
  position: String!
  "The tasks worked under this contract, newest first."
  tasks(first: Int, after: String): TaskConnection
}

type ContractEdge {
  cursor: String!
  node: Contract!
}

type ContractConnection {
  edges: [ContractEdge!]!
  pageInfo: PageInfo!
}

type TaskAttemptFailure {
  attempt: Int!
  reason: String!
  failedBy: Principal!
  failedAt: String!
}

type TaskCompletion {
  attempt: Int!
  completedBy: Principal!
  completedAt: String!
}

type TaskReview {
  verdict: TaskReviewVerdict!
  note: String
  reviewedBy: Principal!
  reviewedAt: String!
}

"A unit of work dispatched to an agent under a contract (domain/task/README.md). Action \`job.read\`."
type Task {
  id: ID!
  orgId: ID!
  org: Org
  jobId: ID!
  job: Job
  parentTaskId: ID
  contractId: ID
  contract: Contract
  title: String!
  "What the agent was given (free JSON)."
  input: JSON
  assigneeSubjectId: ID!
  "The assignee (\`subject.read\`: null with a POLICY_DENIED error when you may not read it)."
  assignee: Subject
  status: TaskStatus!
  "The latest attempt dispatched (0 before the first)."
  attempt: Int!
  maxAttempts: Int!
  heartbeatTimeoutMs: Int!
  "The latest progress (0..100) of the current attempt."
  progress: Float
  "When the running attempt last showed life (null while none runs)."
  lastHeartbeatAt: String
  lastFailure: TaskAttemptFailure
  completion: TaskCompletion
  "What the agent returned (free JSON; null until completed)."
  outputs: JSON
  review: TaskReview
  "Why the task failed or was cancelled."
  statusReason: String
  createdBy: Principal!
  createdAt: String!
  "When the task reached a final status (accepted, rejected, failed, cancelled)."
  closedAt: String
  revision: Int!
  updatedAt: String!
  position: String!
}

type TaskEdge {
  cursor: String!
  node: Task!
}

type TaskConnection {
  edges: [TaskEdge!]!
  pageInfo: PageInfo!
}

type AssignmentAward {
  round: Int!
  subjectId: ID!
  subject: Subject
  contractId: ID!
  "Why this candidate: the score or the bid that won, and how ties were broken."
  basis: String!
  "Bidders whose valid proposals lost."
  declined: [ID!]!
}

type AssignmentRoundFailure {
  round: Int!
  reason: RoundFailureReason!
  detail: String!
  failedAt: String!
}

type AssignmentEscalation {
  reason: String!
  rounds: Int!
  escalatedAt: String!
}

type AssignmentCancellation {
  reason: String!
  cancelledAt: String!
}

"How a job is assigned (domain/assignment/README.md): rounds of assessment, bids, award. Action \`job.read\`."
type Assignment {
  jobId: ID!
  orgId: ID!
  job: Job
  strategy: AssignmentStrategy!
  maxRounds: Int!
  round: Int!
  phase: AssignmentPhase!
  "When the current call for proposals closes (auctions)."
  closesAt: String
  "Candidates assessed in the current round, and how many were eligible (null until assessed)."
  assessedCount: Int
  eligibleCount: Int
  "Subjects invited to bid in the current round (auctions)."
  invitedCount: Int
  validBidCount: Int!
  "Bids recorded over every round, valid or not."
  bidCount: Int!
  award: AssignmentAward
  "Rounds failed since the assignment (re)started."
  failedRounds: Int!
  roundFailures: [AssignmentRoundFailure!]!
  "Subjects not to be chosen again for this job (refused its contract or lost it)."
  excluded: [ID!]!
  escalation: AssignmentEscalation
  cancellation: AssignmentCancellation
  restarts: Int!
  startedAt: String!
  completedAt: String
  updatedAt: String!
  position: String!
  "Every bid recorded for the job, by round then as received."
  bids(filter: BidFilter, first: Int, after: String): BidConnection
}

"A bid recorded in an auction, valid or refused with every reason. Action \`job.read\`."
type Bid {
  id: ID!
  orgId: ID!
  jobId: ID!
  round: Int!
  subjectId: ID!
  "The bidder (\`subject.read\`: null with a POLICY_DENIED error when you may not read it)."
  subject: Subject
  price: Float!
  etaSeconds: Int
  note: String
  valid: Boolean!
  "Why it was refused (late, not invited with the assessment's reasons, a second bid); empty when valid."
  reasons: [String!]!
  receivedAt: String!
  position: String!
}

type BidEdge {
  cursor: String!
  node: Bid!
}

type BidConnection {
  edges: [BidEdge!]!
  pageInfo: PageInfo!
}

type EscalationRaise {
  escalateTo: String!
  previousEscalateTo: String!
  reason: String!
  raisedBy: Principal!
  raisedAt: String!
}

"One escalation of a job, from JobEscalated until it is resolved (or the job cancelled). Action \`job.read\`."
type Escalation {
  "\`<jobId>:<revision>\`"
  id: ID!
  orgId: ID!
  jobId: ID!
  job: Job
  reason: String!
  "The role it goes to now (moved by each raise)."
  escalateTo: String!
  "The status the job was escalated from."
  from: JobStatus!
  escalatedBy: Principal!
  escalatedAt: String!
  raises: [EscalationRaise!]!
  open: Boolean!
  "How it ended (a job cancelled while escalated: CANCEL)."
  resolution: EscalationResolution
  note: String
  resolvedBy: Principal
  resolvedAt: String
  "The job status the resolution left it in."
  statusAfter: JobStatus
  "The new deadline of an EXTEND."
  deadline: String
  updatedAt: String!
  position: String!
}

type EscalationEdge {
  cursor: String!
  node: Escalation!
}

type EscalationConnection {
  edges: [EscalationEdge!]!
  pageInfo: PageInfo!
}

"What a subject effectively is in an org now: held roles plus inherited ones, and the groups of those roles."
type EffectiveRoles {
  orgId: ID!
  subjectId: ID!
  jobSpace: String
  roles: [String!]!
  groups: [String!]!
  "The read model position the answer reflects (at least)."
  position: String!
  source: EffectiveRolesSource!
}

input MetadataPredicate {
  "A metadata key (letters, digits and . _ / -, as the org registry allows); matched exactly, never as a path."
  key: String!
  value: String!
}

"Every field given must hold (AND); \`and\`/\`or\`/\`not\` combine nested filters (at most 4 levels, 50 conditions). Strings are literal: a prefix is never a pattern."
input OrgFilter {
  status: OrgStatus
  statusIn: [OrgStatus!]
  slug: String
  slugPrefix: String
  nameEq: String
  namePrefix: String
  "Orgs carrying this tag."
  tag: String
  parentOrgId: ID
  hasParent: Boolean
  ownerId: String
  metadata: [MetadataPredicate!]
  registeredSince: String
  registeredUntil: String
  and: [OrgFilter!]
  or: [OrgFilter!]
  not: OrgFilter
}

input SubjectFilter {
  kind: SubjectKind
  status: SubjectStatus
  displayNameEq: String
  displayNamePrefix: String
  and: [SubjectFilter!]
  or: [SubjectFilter!]
  not: SubjectFilter
}

input RoleFilter {
  name: String
  namePrefix: String
  assignmentType: AssignmentType
  "Roles that inherit this role."
  inherits: String
  and: [RoleFilter!]
  or: [RoleFilter!]
  not: RoleFilter
}

input AssociationFilter {
  role: String
  roleIn: [String!]
  subjectId: ID
  orgId: ID
  status: AssociationStatus
  "Only associations in force now (status ACTIVE and not past their expiry)."
  active: Boolean
  jobSpace: String
  "Only org-wide associations (true) or only job-space ones (false)."
  orgWide: Boolean
  parentSubjectId: ID
  grantedSince: String
  grantedUntil: String
  and: [AssociationFilter!]
  or: [AssociationFilter!]
  not: AssociationFilter
}

input RoleApplicationFilter {
  status: ApplicationStatus
  subjectId: ID
  role: String
}

input PolicyVersionFilter {
  status: PolicyStatus
}

input DecisionFilter {
  outcome: DecisionOutcome
  outcomeIn: [DecisionOutcome!]
  result: DecisionResult
  resultIn: [DecisionResult!]
  "The code of a structural refusal, e.g. ROLE_MAX_HOLDERS."
  refusalCode: String
  action: String
  "Literal prefix of the action, e.g. \\"roster.\\"."
  actionPrefix: String
  principalId: String
  commandType: String
  "A rule among the determining ones."
  ruleId: String
  "occurredAt >= since (ISO-8601)"
  since: String
  "occurredAt < until (ISO-8601)"
  until: String
  and: [DecisionFilter!]
  or: [DecisionFilter!]
  not: DecisionFilter
}

input JobFilter {
  status: JobStatus
  statusIn: [JobStatus!]
  priority: JobPriority
  priorityIn: [JobPriority!]
  assigneeSubjectId: ID
  contractId: ID
  "Only jobs not in a final status (true) or only those in one (false)."
  open: Boolean
  "submittedAt >= since (ISO-8601)"
  submittedSince: String
  "submittedAt < until (ISO-8601)"
  submittedUntil: String
  and: [JobFilter!]
  or: [JobFilter!]
  not: JobFilter
}

input ContractFilter {
  status: ContractStatus
  statusIn: [ContractStatus!]
  assigneeSubjectId: ID
  jobId: ID
  "Only contracts not in a final status (true) or only those in one (false)."
  open: Boolean
  and: [ContractFilter!]
  or: [ContractFilter!]
  not: ContractFilter
}

input TaskFilter {
  status: TaskStatus
  statusIn: [TaskStatus!]
  assigneeSubjectId: ID
  jobId: ID
  contractId: ID
  "Only tasks not in a final status (true) or only those in one (false)."
  open: Boolean
  and: [TaskFilter!]
  or: [TaskFilter!]
  not: TaskFilter
}

input BidFilter {
  valid: Boolean
  round: Int
  subjectId: ID
  and: [BidFilter!]
  or: [BidFilter!]
  not: BidFilter
}

input EscalationFilter {
  "Only unresolved escalations (true) or only ended ones (false)."
  open: Boolean
  "The role it goes to now (a role name, matched exactly)."
  escalateTo: String
  jobId: ID
  "escalatedAt >= since (ISO-8601)"
  escalatedSince: String
  "escalatedAt < until (ISO-8601)"
  escalatedUntil: String
  and: [EscalationFilter!]
  or: [EscalationFilter!]
  not: EscalationFilter
}

"""
Every root field takes \`minPosition\` (the \`position\` a command returned), as does the \`X-Min-Position\` request
header: the answer waits (at most 5 s) until the read models reflect that position, or fails with READ_MODEL_BEHIND.
Lists take \`first\` (1..100, default 20) and \`after\` (an \`endCursor\` or edge \`cursor\` of the same list).
"""
type Query {
  "An org (\`org.read\`): null if it does not exist (admins); POLICY_DENIED if you may not read it."
  org(id: ID!, minPosition: String): Org
  orgBySlug(slug: String!, minPosition: String): Org
  "Orgs you may read. Admins: every org; a subject: the orgs it owns or holds a role in, each decided by the policy."
  orgs(filter: OrgFilter, first: Int, after: String, orderBy: OrgOrder, minPosition: String): OrgConnection!
  subject(id: ID!, minPosition: String): Subject
  "Subjects you may read (\`subject.read\`): admins every subject, a subject itself."
  subjects(filter: SubjectFilter, first: Int, after: String, orderBy: SubjectOrder, minPosition: String): SubjectConnection!
  "\`roster.read\`"
  associations(orgId: ID!, filter: AssociationFilter, first: Int, after: String, orderBy: AssociationOrder, minPosition: String): AssociationConnection
  "\`audit.read\`"
  decisions(orgId: ID!, filter: DecisionFilter, first: Int, after: String, orderBy: DecisionOrder, minPosition: String): DecisionConnection
  "\`roster.read\` (with the job space as the resource's)"
  effectiveRoles(orgId: ID!, subjectId: ID!, jobSpace: String, minPosition: String): EffectiveRoles
  "\`policy.read\`"
  policyVersions(orgId: ID!, filter: PolicyVersionFilter, first: Int, after: String, minPosition: String): PolicyVersionConnection
  "\`job.read\`: one job of the org (null if the org has none with this id)."
  job(orgId: ID!, jobId: ID!, minPosition: String): Job
  "\`job.read\`"
  jobs(orgId: ID!, filter: JobFilter, first: Int, after: String, orderBy: JobOrder, minPosition: String): JobConnection
  "\`job.read\`: the subjects holding open jobs in the org, with how many (most loaded first; at most 1,000)."
  workload(orgId: ID!, subjectId: ID, minPosition: String): [Workload!]
  "\`job.read\` (as REST's \`ReadContract\`): one contract of the org (null if the org has none with this id)."
  contract(orgId: ID!, contractId: ID!, minPosition: String): Contract
  "\`job.read\` (\`ReadContracts\`): the org's contracts (newest first by default)."
  contracts(orgId: ID!, filter: ContractFilter, first: Int, after: String, orderBy: WorkOrder, minPosition: String): ContractConnection
  "\`job.read\` (\`ReadTask\`): one task of the org (null if the org has none with this id)."
  task(orgId: ID!, taskId: ID!, minPosition: String): Task
  "\`job.read\` (\`ReadTasks\`): the org's tasks (newest first by default)."
  tasks(orgId: ID!, filter: TaskFilter, first: Int, after: String, orderBy: WorkOrder, minPosition: String): TaskConnection
  "\`job.read\` (\`ReadAssignment\`): how a job of the org is assigned (null before its assignment started)."
  assignment(orgId: ID!, jobId: ID!, minPosition: String): Assignment
  "\`job.read\` (\`ReadAssignment\`): the bids recorded for a job of the org, by round then as received."
  bids(orgId: ID!, jobId: ID!, filter: BidFilter, first: Int, after: String, minPosition: String): BidConnection
  "\`job.read\` (\`ReadEscalations\`): the org's job escalations (newest first by default); \`filter: {open: true, escalateTo: \\"lead\\"}\` is a role's inbox."
  escalations(orgId: ID!, filter: EscalationFilter, first: Int, after: String, orderBy: WorkOrder, minPosition: String): EscalationConnection
}

"A committed event, as the SSE stream and the NATS fan-out publish it (secrets removed)."
type Event {
  "Global log position (decimal string); resume after it with \`afterPosition\`."
  position: String!
  streamId: String!
  revision: Int!
  "The stream category: the prefix of the stream id before its first '-'."
  category: String!
  type: String!
  "The org the event belongs to; null for platform-level events."
  orgId: ID
  data: JSON!
  metadata: JSON!
  occurredAt: String
}

type Subscription {
  """
  Committed events, in log order, catch-up then live, from \`afterPosition\` (exclusive; omitted: from the start of
  the log), of the orgs you may read only (platform-level events need the platform's \`audit.read\`). Filters:
  \`orgId\` (you must be allowed to read it), stream \`categories\` (${STREAM_CATEGORIES.join(', ')}), event \`types\`;
  an unknown category or type is refused (VALIDATION_FAILED), never silently matched by nothing.
  """
  events(orgId: ID, categories: [String!], types: [String!], afterPosition: String): Event!
}
`;
