/**
 * The GraphQL read API's schema (SDL). Everything here is read from the read models (projections of the log) and
 * every org-scoped field is decided by the policy engine, like the REST reads: `org.read` (an org's profile),
 * `roster.read` (roles, groups, job spaces, conflicts, associations, applications, effective roles), `policy.read`
 * (policy versions), `audit.read` (decisions), `job.read` (jobs, workloads), and `subject.read` (subjects,
 * platform-level). See api/graphql/README.md.
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
  outcome: DecisionOutcome!
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
  \`orgId\` (you must be allowed to read it), stream \`categories\`, event \`types\`.
  """
  events(orgId: ID, categories: [String!], types: [String!], afterPosition: String): Event!
}
`;
