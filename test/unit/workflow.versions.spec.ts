import { describe, expect, it } from 'vitest';
import type { WorkflowCommand } from '../../domain/workflow/commands.ts';
import { workflowDecider, type WorkflowDecisionContext } from '../../domain/workflow/decider.ts';
import type { WorkflowEvent } from '../../domain/workflow/events.ts';
import { hashWorkflowDefinition } from '../../domain/workflow/hash.ts';
import { workflowIdFor, workflowStream } from '../../domain/workflow/ids.ts';
import { validateWorkflow } from '../../domain/workflow/validate.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const orgId = '11111111-1111-4111-8111-111111111111';
const now = new Date().toISOString();
const context: WorkflowDecisionContext = { now, principal: { id: 'admin:a', kind: 'admin' }, commandId: 'cmd-00000001', orgStatus: 'active' };
const spec = deciderSpec(workflowDecider, context);
const workflowId = workflowIdFor(orgId, 'paper');

const steps = { draft: { kind: 'task', role: 'writer', title: 'Draft' }, review: { kind: 'approval', approverRole: 'editor', deadline: 'PT4H' } };
const publish = (flow: unknown = 'sequence(draft, review)'): WorkflowCommand => ({
  type: 'PublishWorkflow',
  data: { orgId, name: 'paper', description: '', steps, flow },
});
const retire: WorkflowCommand = { type: 'RetireWorkflow', data: { orgId, name: 'paper', reason: 'replaced' } };

function published(version: number, flow: unknown = 'sequence(draft, review)'): WorkflowEvent {
  const validated = validateWorkflow({ name: 'paper', description: '', steps, flow });
  if (!validated.ok) throw new Error('the fixture is valid');
  const { definition, dag } = validated;
  return {
    type: 'WorkflowPublished',
    data: { orgId, workflowId, name: 'paper', version, hash: hashWorkflowDefinition(definition), definition, dag, publishedAt: now },
  };
}
const retired = (version: number): WorkflowEvent => ({
  type: 'WorkflowRetired',
  data: { orgId, workflowId, name: 'paper', version, reason: 'replaced', retiredAt: now },
});

describe('workflow definition versions', () => {
  it('publishes numbered versions, and re-publishing the newest changes nothing', () => {
    spec
      .given([])
      .when(publish())
      .thenEvents([published(1)]);
    spec
      .given([published(1)])
      .when(publish())
      .thenNothing();
    spec
      .given([published(1)])
      .when(publish(['draft', 'review']))
      .thenEvents([published(2, ['draft', 'review'])]);
  });

  it('hashes the normalized definition: defaults written out or left to apply are one definition', () => {
    const explicit: WorkflowCommand = {
      type: 'PublishWorkflow',
      data: {
        orgId,
        name: 'paper',
        description: '',
        flow: 'sequence(draft, review)',
        steps: { ...steps, draft: { ...steps.draft, instructions: '', input: {} } },
      },
    };
    spec
      .given([published(1)])
      .when(explicit)
      .thenNothing();
  });

  it('refuses an invalid definition as WORKFLOW_INVALID with every problem, a cycle named in the message', () => {
    spec
      .given([])
      .when(publish('sequence(draft, reviews)'))
      .thenError('WORKFLOW_INVALID', {
        errors: [
          { path: 'flow', column: 17, message: "no step 'reviews' in steps" },
          { path: 'steps.review', message: "unreachable: no part of the flow runs step 'review'" },
        ],
      });
    const cyclic: WorkflowCommand = {
      type: 'PublishWorkflow',
      data: { orgId, name: 'paper', description: '', steps: { a: { ...steps.draft, dependsOn: ['b'] }, b: { ...steps.draft, dependsOn: ['a'] } } },
    };
    const refusal = workflowDecider.decide(cyclic, null, context);
    expect(refusal).toMatchObject({ kind: 'unprocessable', code: 'WORKFLOW_INVALID', message: "workflow 'paper' has a cycle: a -> b -> a" });
  });

  it('retires a workflow once; a new version makes it active again', () => {
    spec
      .given([published(1)])
      .when(retire)
      .thenEvents([retired(1)]);
    spec
      .given([published(1), retired(1)])
      .when(retire)
      .thenNothing();
    spec
      .given([published(1), retired(1)])
      .when(publish())
      .thenEvents([{ ...published(2) }]);
    spec.given([]).when(retire).thenError('WORKFLOW_NOT_FOUND');
  });

  it('keeps every version, so a run pinned to one finds it after newer ones', () => {
    const state = [published(1), published(2, ['draft', 'review']), retired(2)].reduce(workflowDecider.evolve, workflowDecider.initialState);
    expect(state?.status).toBe('retired');
    expect([...(state?.versions.keys() ?? [])]).toEqual([1, 2]);
    expect(state?.versions.get(1)?.definition.flow).toBe('sequence(draft, review)');
  });

  it('changes nothing in an org that is missing or not active', () => {
    spec.given([]).when(publish(), { orgStatus: null }).thenError('ORG_NOT_FOUND');
    spec
      .given([published(1)])
      .when(retire, { orgStatus: 'suspended' })
      .thenError('ORG_NOT_ACTIVE');
  });

  it('keeps one stream per org and name', () => {
    expect(workflowStream(orgId, 'paper')).toBe(`workflow-${workflowId}`);
    expect(workflowIdFor(orgId, 'paper')).toBe(workflowIdFor(orgId.toUpperCase(), 'paper'));
    expect(workflowIdFor(orgId, 'other')).not.toBe(workflowId);
    expect(workflowIdFor('22222222-2222-4222-8222-222222222222', 'paper')).not.toBe(workflowId);
  });
});
