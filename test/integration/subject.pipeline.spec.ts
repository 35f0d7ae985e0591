import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { subjectAggregate } from '../../commands/handlers/subject.ts';
import type { PreAppendCheck } from '../../commands/pre-append-check.ts';
import type { CommandResult } from '../../commands/result.ts';
import { subjectCapabilities, verifiedCapabilities } from '../../domain/subject/capabilities.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { collect } from '../support/async.ts';
import { admin, commandId, pipelineOn, tempStore } from '../support/pipeline.ts';

const ok = (result: unknown): CommandResult => {
  if (isAppError(result)) throw new Error(`${result.code}: ${result.message}`);
  return result as CommandResult;
};
const allowAll: PreAppendCheck = async () => ({ allowed: true });
const now = new Date('2026-11-27T12:00:00.000Z');

function register(subjectId: string, extra: Record<string, unknown> = {}) {
  return { type: 'RegisterSubject', data: { subjectId, kind: 'agent', displayName: 'Writer bot', ...extra } };
}

describe('subject commands through the pipeline', () => {
  it('registers, updates, declares, verifies, suspends and reinstates, and rebuilds the same state from the log', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store, { clock: () => now });
    const subjectId = randomUUID();
    const orgId = randomUUID();
    const run = async (command: unknown) => ok(await pipeline.execute(subjectAggregate, command, { commandId: commandId(), principal: admin }));

    await run(register(subjectId, { endpoint: 'https://agents.example.com/w', capabilities: [{ name: 'lang.en', level: 9 }] }));
    await run({ type: 'UpdateSubjectProfile', data: { subjectId, endpoint: 'nats:agents.writer' } });
    await run({ type: 'DeclareCapability', data: { subjectId, name: 'nlp.summarize', level: 6, evidence: 'rouge-l 0.41' } });
    const verified = await run({ type: 'VerifyCapability', data: { subjectId, name: 'nlp.summarize', level: 6, orgId, note: 'checked' } });
    expect(verified.events[0]).toMatchObject({
      type: 'CapabilityVerified',
      data: { verifiedBy: admin, orgId, note: 'checked', verifiedAt: now.toISOString() },
    });
    await run({ type: 'SuspendSubject', data: { subjectId, reason: 'audit' } });
    await run({ type: 'ReinstateSubject', data: { subjectId, reason: 'cleared' } });

    const events = await collect(store.readStream(subjectStream(subjectId)));
    expect(events.map((event) => event.type)).toEqual([
      'SubjectRegistered',
      'SubjectProfileUpdated',
      'CapabilityDeclared',
      'CapabilityVerified',
      'SubjectSuspended',
      'SubjectReinstated',
    ]);
    // Only the verification is done in an org's name.
    expect(events.map((event) => event.metadata.orgId)).toEqual([null, null, null, orgId, null, null]);
    expect(events.every((event) => event.metadata.schemaVersion === 1)).toBe(true);

    const { loader } = pipelineOn(store);
    const { state } = await loader.load(subjectDecider, subjectStream(subjectId));
    expect(state).toMatchObject({ status: 'active', endpoint: 'nats:agents.writer', registeredBy: admin });
    expect(subjectCapabilities(state)).toEqual({ 'lang.en': 9, 'nlp.summarize': 6 });
    expect(verifiedCapabilities(state, orgId)).toEqual({ 'nlp.summarize': 6 });
  });

  it('appends nothing for a command that changes nothing', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const subjectId = randomUUID();
    ok(await pipeline.execute(subjectAggregate, register(subjectId), { commandId: commandId(), principal: admin }));
    const head = await store.headPosition();
    const same = ok(
      await pipeline.execute(
        subjectAggregate,
        { type: 'UpdateSubjectProfile', data: { subjectId, displayName: 'Writer bot' } },
        { commandId: commandId(), principal: admin },
      ),
    );
    expect(same).toMatchObject({ events: [], position: null, streamRevision: 0n });
    const absent = ok(
      await pipeline.execute(subjectAggregate, { type: 'WithdrawCapability', data: { subjectId, name: 'x.y' } }, { commandId: commandId(), principal: admin }),
    );
    expect(absent.events).toEqual([]);
    expect(await store.headPosition()).toBe(head);
  });

  it('refuses domain errors with nothing appended', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store, { check: allowAll });
    const subjectId = randomUUID();
    const missing = await pipeline.execute(
      subjectAggregate,
      { type: 'SuspendSubject', data: { subjectId, reason: 'x' } },
      { commandId: commandId(), principal: admin },
    );
    expect(missing).toMatchObject({ kind: 'not_found', code: 'SUBJECT_NOT_FOUND' });

    ok(
      await pipeline.execute(subjectAggregate, register(subjectId, { capabilities: [{ name: 'lang.en', level: 5 }] }), {
        commandId: commandId(),
        principal: admin,
      }),
    );
    const head = await store.headPosition();
    const self = await pipeline.execute(
      subjectAggregate,
      { type: 'VerifyCapability', data: { subjectId, name: 'lang.en', level: 5, orgId: randomUUID() } },
      { commandId: commandId(), principal: { id: subjectId, kind: 'subject' } },
    );
    expect(self).toMatchObject({ kind: 'forbidden', code: 'SELF_VERIFICATION' });
    const twice = await pipeline.execute(subjectAggregate, register(subjectId), { commandId: commandId(), principal: admin });
    expect(twice).toMatchObject({ kind: 'conflict', code: 'SUBJECT_ALREADY_EXISTS' });
    expect(await store.headPosition()).toBe(head);
  });

  it('is governed: without a permitting check, a subject cannot register itself', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const subjectId = randomUUID();
    const result = await pipeline.execute(subjectAggregate, register(subjectId), { commandId: commandId(), principal: { id: subjectId, kind: 'subject' } });
    expect(result).toMatchObject({ kind: 'forbidden' });
    expect(await store.headPosition()).toBe(0n);
  });
});

const subjectId = '33333333-3333-4333-8333-333333333333';
const orgId = '11111111-1111-4111-8111-111111111111';
const malformed: Array<[string, unknown, string[]]> = [
  ['RegisterSubject with an unknown kind', { type: 'RegisterSubject', data: { subjectId, kind: 'robot', displayName: 'x' } }, ['kind']],
  [
    'RegisterSubject with a credential in the endpoint',
    { type: 'RegisterSubject', data: { subjectId, kind: 'agent', displayName: 'x', endpoint: 'https://u:p@x.example' } },
    ['endpoint'],
  ],
  [
    'RegisterSubject with duplicate capability names',
    {
      type: 'RegisterSubject',
      data: {
        subjectId,
        kind: 'agent',
        displayName: 'x',
        capabilities: [
          { name: 'a', level: 1 },
          { name: 'a', level: 2 },
        ],
      },
    },
    ['capabilities'],
  ],
  [
    'RegisterSubject with a subjectId that is not a UUID',
    { type: 'RegisterSubject', data: { subjectId: "1' or 1=1", kind: 'agent', displayName: 'x' } },
    ['subjectId'],
  ],
  ['UpdateSubjectProfile with nothing to update', { type: 'UpdateSubjectProfile', data: { subjectId } }, []],
  ['UpdateSubjectProfile with a wildcard NATS subject', { type: 'UpdateSubjectProfile', data: { subjectId, endpoint: 'nats:agents.>' } }, ['endpoint']],
  ['DeclareCapability with a level above 10', { type: 'DeclareCapability', data: { subjectId, name: 'nlp', level: 11 } }, ['level']],
  ['DeclareCapability with an uppercase name', { type: 'DeclareCapability', data: { subjectId, name: 'NLP', level: 1 } }, ['name']],
  ['WithdrawCapability without a name', { type: 'WithdrawCapability', data: { subjectId } }, ['name']],
  ['VerifyCapability without an org', { type: 'VerifyCapability', data: { subjectId, name: 'nlp', level: 1 } }, ['orgId']],
  ['VerifyCapability naming the verifier in the body', { type: 'VerifyCapability', data: { subjectId, name: 'nlp', level: 1, orgId, verifiedBy: 'me' } }, []],
  ['SuspendSubject with a blank reason', { type: 'SuspendSubject', data: { subjectId, reason: '  ' } }, ['reason']],
  ['ReinstateSubject without a reason', { type: 'ReinstateSubject', data: { subjectId } }, ['reason']],
  ['an unknown command type', { type: 'DeleteSubject', data: { subjectId } }, ['type']],
];

describe('malformed subject commands', () => {
  it.each(malformed)('refuses %s with VALIDATION_FAILED and appends nothing', async (_name, command, path) => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store, { check: allowAll });
    const result = await pipeline.execute(subjectAggregate, command, { commandId: commandId(), principal: admin });
    expect(result).toMatchObject({ kind: 'invalid', code: 'VALIDATION_FAILED' });
    const issues = (result as unknown as { details: { issues: Array<{ path: string[] }> } }).details.issues;
    expect(issues.length).toBeGreaterThan(0);
    if (path.length > 0) expect(issues.map((issue) => issue.path)).toContainEqual(path);
    expect(await store.headPosition()).toBe(0n);
  });
});
