import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { z } from 'zod';
import { recordedRequestSchema } from '../../domain/audit/recorded.ts';
import { orgIdForSlug } from '../../bin/apply/plan.ts';
import { loadSpec } from '../../bin/apply/spec.ts';
import { runTests } from '../../bin/policy/run-cases.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { rosterAggregate } from '../../commands/handlers/roster.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { collect } from '../support/async.ts';
import { asSubject, ok } from '../support/governance-fixtures.ts';
import { admin, type tempStore } from '../support/pipeline.ts';
import { exampleText, policyFrom, testsFrom } from '../support/policy-test-fixtures.ts';
import { governedStore } from '../support/governed-store.ts';

/**
 * What `agencygrid policy test` promises: a case stated as a user states it (the roles a subject holds, the action,
 * the command's payload) is decided as the platform decides the same command. The research lab's spec is set up in
 * a governed pipeline, commands are run through it, and each recorded decision is compared with the case's.
 */
const LAB = 'examples/research-lab.yaml';

describe('policy test decides as the platform does', () => {
  it('gives the recorded outcome and determining rules, over the same effective roles, command and org', async () => {
    const loaded = loadSpec(exampleText(LAB));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const { spec } = loaded;
    const policy = policyFrom(exampleText(LAB), LAB);

    const { store, pipeline, g } = governedStore();
    const orgId = orgIdForSlug(spec.org.slug);
    ok(
      await g.run(orgAggregate, {
        type: 'RegisterOrg',
        data: { orgId, name: spec.org.name, slug: spec.org.slug, tags: spec.org.tags, metadata: spec.org.metadata },
      }),
    );
    // Capability requirements are left out: they decide who may be granted a role, not what a holder may do.
    for (const role of spec.roles) ok(await g.run(rosterAggregate, { type: 'DefineRole', data: { orgId, role: { ...role, requiredCapabilities: [] } } }));
    for (const group of spec.groups) ok(await g.run(rosterAggregate, { type: 'DefineGroup', data: { orgId, group } }));
    const [ada, wes, rita, noor, sol] = [
      await g.registerSubject('Ada'),
      await g.registerSubject('Wes'),
      await g.registerSubject('Rita'),
      await g.registerSubject('Noor'),
      await g.registerSubject('Sol'),
    ];
    ok(await g.grant(orgId, ada, 'editor'));
    ok(await g.grant(orgId, wes, 'writer'));
    ok(await g.grant(orgId, rita, 'reviewer'));
    await g.publishPolicy(orgId, [...policy.rules]);

    const grant = (subjectId: string, role: string) => ({ type: 'GrantRole', data: { orgId, associationId: randomUUID(), subjectId, role } });
    const scenarios: Array<{ name: string; principal: Principal; holds?: string[]; command: { type: string; data: Record<string, unknown> } }> = [
      { name: 'the editor grants writer', principal: asSubject(ada), holds: ['editor'], command: grant(noor, 'writer') },
      { name: 'the editor grants editor', principal: asSubject(ada), holds: ['editor'], command: grant(wes, 'editor') },
      { name: 'the editor grants herself', principal: asSubject(ada), holds: ['editor'], command: grant(ada, 'reviewer') },
      { name: 'a writer grants', principal: asSubject(wes), holds: ['writer'], command: grant(noor, 'writer') },
      {
        name: 'a reviewer defines a role',
        principal: asSubject(rita),
        holds: ['reviewer'],
        command: { type: 'DefineRole', data: { orgId, role: { name: 'intern' } } },
      },
      {
        name: 'a subject applies to write',
        principal: asSubject(sol),
        command: { type: 'ApplyForRole', data: { orgId, applicationId: randomUUID(), subjectId: sol, role: 'writer' } },
      },
      { name: 'an admin defines a role', principal: admin, command: { type: 'DefineRole', data: { orgId, role: { name: 'guest' } } } },
    ];

    const recorded: RecordedDecision[] = [];
    for (const scenario of scenarios) recorded.push(await recordedDecision(pipeline, store, orgId, scenario.principal, scenario.command));
    expect(recorded.map((decision) => decision.outcome)).toEqual([
      'permitted',
      'forbidden',
      'forbidden',
      'not-permitted',
      'forbidden',
      'permitted',
      'permitted',
    ]);

    const tests = testsFrom(policy, {
      cases: scenarios.map((scenario, index) => {
        const decision = required(recorded[index], `the recorded decision of ${scenario.name}`);
        return {
          name: scenario.name,
          request: {
            principal: { id: scenario.principal.id, kind: scenario.principal.kind, ...(scenario.holds ? { roles: scenario.holds } : {}) },
            action: decision.action,
            command: scenario.command,
          },
          expect: { outcome: decision.outcome, rules: decision.determiningRuleIds },
        };
      }),
    });
    const run = runTests(policy, [tests]);
    expect(run.results.filter((result) => !result.passed).map((result) => [result.name, result.differences])).toEqual([]);

    run.results.forEach((result, index) => {
      const platform = required(recorded[index], `the recorded decision of ${result.name}`).request;
      const ours = result.request;
      expect(
        { principal: ours.principal, command: ours.command, resource: { type: ours.resource.type, jobSpace: ours.resource.jobSpace } },
        result.name,
      ).toEqual({
        principal: platform.principal,
        command: platform.command,
        resource: { type: platform.resource.type, jobSpace: platform.resource.jobSpace },
      });
      expect({ ...ours.org, ownerId: null }).toEqual({ ...platform.org, ownerId: null });
    });
  });
});

const recordedDecisionSchema = z.object({
  action: z.string(),
  outcome: z.enum(['permitted', 'forbidden', 'not-permitted']),
  determiningRuleIds: z.array(z.string()),
  request: recordedRequestSchema,
});
type RecordedDecision = z.infer<typeof recordedDecisionSchema>;

/** Runs the command as the principal and returns the decision the platform recorded for it. */
async function recordedDecision(
  pipeline: CommandPipeline,
  store: ReturnType<typeof tempStore>,
  orgId: string,
  principal: Principal,
  command: { type: string },
): Promise<RecordedDecision> {
  const result = await pipeline.execute(rosterAggregate, command, { commandId: `cmd-${randomUUID()}`, principal });
  const events = isAppError(result) ? await collect(store.readStream(`audit-${orgId}`)) : result.events;
  const decisionId = isAppError(result) ? String(result.details.decisionId) : undefined;
  const decision = events.find((event) => event.type === 'DecisionRecorded' && (decisionId === undefined || event.data.decisionId === decisionId));
  if (decision === undefined) throw new Error(`no decision recorded for ${command.type}: ${JSON.stringify(result)}`);
  return recordedDecisionSchema.parse(decision.data);
}
