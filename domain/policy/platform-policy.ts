import type { PolicyRule } from './types.ts';

/**
 * Rule ids here carry a `platform:` or `default:` prefix, which org rule ids cannot (their pattern has no colon), so
 * a decision's rule ids always say whose rule it was.
 *
 * The platform's own policy: evaluated with every org's, so platform admins are governed by rules like anyone
 * (an org's forbid still applies to them), not by a bypass in code.
 */
export const platformPolicy: readonly PolicyRule[] = [
  {
    id: 'platform:admins-administer',
    effect: 'permit',
    actions: ['*'],
    roles: ['platform-admin'],
    reason: 'platform administrators administer the platform',
  },
  {
    id: 'platform:processes-act',
    effect: 'permit',
    actions: ['*'],
    roles: ['platform-system'],
    reason: "the platform's own processes act on behalf of the platform",
  },
  {
    id: 'platform:subjects-found-orgs',
    effect: 'permit',
    actions: ['org.register'],
    when: 'principal.kind == "subject"',
    reason: 'any registered subject may found an org, which it then owns',
  },
  {
    id: 'platform:subjects-read-themselves',
    effect: 'permit',
    actions: ['subject.read'],
    when: 'principal.kind == "subject" && resource.id == principal.id',
    reason: 'a subject may read its own record',
  },
  {
    id: 'platform:subjects-revoke-their-keys',
    effect: 'permit',
    actions: ['subject.apikey.revoke'],
    when: 'principal.kind == "subject" && command.data.subjectId == principal.id',
    reason: 'a subject may revoke its own API keys (the decider refuses keys that are not its own)',
  },
  {
    id: 'platform:subjects-manage-their-profile',
    effect: 'permit',
    actions: ['subject.update', 'subject.capability.declare', 'subject.capability.withdraw'],
    when: 'principal.kind == "subject" && resource.id == principal.id',
    reason: 'a subject maintains its own profile and capability claims',
  },
];

/**
 * Until an org publishes its own policy set, this one applies: the org's owner manages it, members read it, and
 * any subject may apply for a role (the roster still decides whether the role is open).
 */
export const defaultOrgPolicy: readonly PolicyRule[] = [
  {
    id: 'default:owner-manages-org',
    effect: 'permit',
    actions: ['*'],
    when: 'org.ownerId == principal.id',
    reason: "the org's owner manages the org",
  },
  {
    id: 'default:members-read-org',
    effect: 'permit',
    actions: ['*.read'],
    when: 'size(principal.roles) > 0',
    reason: 'members of the org can read it',
  },
  {
    id: 'default:subjects-apply-for-roles',
    effect: 'permit',
    actions: ['roster.application.submit'],
    when: 'principal.kind == "subject" && command.data.subjectId == principal.id',
    reason: 'a subject may apply for a role for itself',
  },
  {
    id: 'default:members-do-their-work',
    effect: 'permit',
    actions: [
      'job.accept',
      'contract.sign',
      'contract.reject',
      'job.start',
      'job.deliver',
      'job.verify',
      'job.reject',
      'task.progress',
      'task.tool.use',
      'task.complete',
      'task.fail',
      'task.create',
      'task.review',
    ],
    when: 'principal.kind == "subject" && size(principal.roles) > 0',
    reason: "members take and do work; the job, contract and task admit only the assignee or the job's verifiers",
  },
  {
    id: 'default:members-call-tools-for-their-tasks',
    effect: 'permit',
    actions: ['tool.invoke'],
    when: 'principal.kind == "subject" && size(principal.roles) > 0 && command.data.taskId != null',
    reason: "members call the org's tools for a task; the task's contract admits only its assignee and the tools it permits",
  },
];
