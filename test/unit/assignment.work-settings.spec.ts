import { describe, expect, it } from 'vitest';
import { DEFAULT_SCORE_EXPRESSION } from '../../domain/assignment/score.ts';
import { DEFAULT_PERMITTED_ACTIONS, workSettingsOf, type WorkSettings } from '../../domain/assignment/work-settings.ts';

const defaults: WorkSettings = {
  assignmentStrategy: 'criteria',
  maxRounds: 3,
  bidWindowMs: 5_000,
  scoreExpression: DEFAULT_SCORE_EXPRESSION,
  maxOpenAssignments: 5,
  verifiedCapabilitiesOnly: false,
  escalateTo: 'owner',
  contractReviewRequired: false,
  permittedActions: DEFAULT_PERMITTED_ACTIONS,
  permittedTools: [],
  taskHeartbeatMs: 30_000,
  taskMaxAttempts: 3,
  retryBackoffMs: 1_000,
  escalationTimeoutMs: 3_600_000,
  signatureTimeoutMs: 300_000,
  verificationTimeoutMs: 3_600_000,
};

describe('workSettingsOf: defaults', () => {
  it('uses the defaults for an org without work.* metadata, ignoring other keys', () => {
    expect(workSettingsOf({})).toEqual(defaults);
    expect(workSettingsOf({ 'quota.maxOpenJobs': '3', maxRounds: '7' })).toEqual(defaults);
  });

  it('does not read inherited properties as settings', () => {
    const metadata = Object.create({ 'work.maxRounds': '7', 'work.capabilities': 'verified' }) as Record<string, string>;
    expect(workSettingsOf(metadata)).toEqual(defaults);
  });

  it('hands out a copy of the default lists', () => {
    workSettingsOf({}).permittedActions.push('org.delete');
    expect(workSettingsOf({}).permittedActions).toEqual([
      'task.progress',
      'task.tool.use',
      'task.complete',
      'task.fail',
      'task.create',
      'job.start',
      'job.deliver',
      'contract.sign',
      'contract.reject',
    ]);
  });
});

describe('workSettingsOf: each key', () => {
  const cases: [string, string, Partial<WorkSettings>][] = [
    ['work.assignmentStrategy', 'auction', { assignmentStrategy: 'auction' }],
    ['work.assignmentStrategy', 'direct', { assignmentStrategy: 'direct' }],
    ['work.maxRounds', '7', { maxRounds: 7 }],
    ['work.maxRounds', '1', { maxRounds: 1 }],
    ['work.maxRounds', '10', { maxRounds: 10 }],
    ['work.bidWindowMs', '60000', { bidWindowMs: 60_000 }],
    ['work.scoreExpression', "job.priority == 'high' ? 10 : 1", { scoreExpression: "job.priority == 'high' ? 10 : 1" }],
    ['work.maxOpenAssignments', '1', { maxOpenAssignments: 1 }],
    ['work.capabilities', 'verified', { verifiedCapabilitiesOnly: true }],
    ['work.capabilities', 'declared', { verifiedCapabilitiesOnly: false }],
    ['work.escalateTo', 'ops-lead', { escalateTo: 'ops-lead' }],
    ['work.contractReview', 'required', { contractReviewRequired: true }],
    ['work.permittedActions', ' task.* , job.deliver,,task.*', { permittedActions: ['task.*', 'job.deliver'] }],
    ['work.permittedTools', 'web.search, github:create_issue', { permittedTools: ['web.search', 'github:create_issue'] }],
    ['work.permittedTools', '', { permittedTools: [] }],
    ['work.taskHeartbeatMs', '1000', { taskHeartbeatMs: 1_000 }],
    ['work.taskMaxAttempts', '10', { taskMaxAttempts: 10 }],
    ['work.retryBackoffMs', '250', { retryBackoffMs: 250 }],
    ['work.escalationTimeoutMs', '60000', { escalationTimeoutMs: 60_000 }],
    ['work.signatureTimeoutMs', '2000', { signatureTimeoutMs: 2_000 }],
    ['work.verificationTimeoutMs', '5000', { verificationTimeoutMs: 5_000 }],
  ];
  for (const [key, value, expected] of cases) {
    it(`reads ${key} = ${JSON.stringify(value)}`, () => {
      expect(workSettingsOf({ [key]: value })).toEqual({ ...defaults, ...expected });
    });
  }
});

describe('workSettingsOf: malformed values fall back to the default', () => {
  const cases: [string, string][] = [
    ['work.assignmentStrategy', 'lottery'],
    ['work.assignmentStrategy', 'Auction'],
    ['work.maxRounds', '0'],
    ['work.maxRounds', '11'],
    ['work.maxRounds', '2.5'],
    ['work.maxRounds', '-1'],
    ['work.maxRounds', ' 3'],
    ['work.maxRounds', 'three'],
    ['work.maxRounds', '1e1'],
    ['work.bidWindowMs', '99'],
    ['work.bidWindowMs', '86400001'],
    ['work.maxOpenAssignments', '0'],
    ['work.maxOpenAssignments', '99999999999'],
    ['work.capabilities', 'Verified'],
    ['work.escalateTo', 'Ops Lead'],
    ['work.escalateTo', ''],
    ['work.contractReview', 'yes'],
    ['work.taskHeartbeatMs', '999'],
    ['work.taskMaxAttempts', '11'],
    ['work.retryBackoffMs', '9'],
    ['work.escalationTimeoutMs', '99'],
    ['work.scoreExpression', "'not a number'"],
    ['work.scoreExpression', 'candidate.capabilityLevel *'],
    ['work.scoreExpression', ''],
    ['work.scoreExpression', `1${' + 1'.repeat(300)}`],
    ['work.permittedActions', ''],
    ['work.permittedActions', ' , '],
    ['work.permittedActions', 'task.*, Job Deliver'],
    ['work.permittedActions', Array.from({ length: 51 }, (_, index) => `task.a${index}`).join(',')],
    ['work.permittedTools', 'web.search, rm -rf'],
  ];
  for (const [key, value] of cases) {
    it(`ignores ${key} = ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`, () => {
      expect(workSettingsOf({ [key]: value })).toEqual(defaults);
    });
  }

  it('falls back key by key: one malformed value leaves the others read', () => {
    expect(workSettingsOf({ 'work.maxRounds': 'lots', 'work.bidWindowMs': '2000', 'work.assignmentStrategy': 'auction' })).toEqual({
      ...defaults,
      bidWindowMs: 2_000,
      assignmentStrategy: 'auction',
    });
  });
});
