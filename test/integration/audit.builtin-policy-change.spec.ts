import { describe, expect, it } from 'vitest';
import { builtInsFromLog, loadOrgHistory, orgDecisions } from '../../commands/audit/reader.ts';
import { recordBuiltinPolicies } from '../../commands/record-builtin-policies.ts';
import { orgTimelines } from '../../domain/audit/as-of.ts';
import { hashed } from '../../domain/audit/policies.ts';
import { ReplayContext, reevaluateDecision } from '../../domain/audit/reevaluate.ts';
import { platformPolicy } from '../../domain/policy/platform-policy.ts';
import { asSubject, governance, ok, refused } from '../support/governance-fixtures.ts';
import { governedPipelineOn, tempStore } from '../support/pipeline.ts';

describe('re-evaluation after the built-in policies change in code', () => {
  it('finds the earlier built-in rules in the log by their recorded hash and reproduces every decision', async () => {
    const store = tempStore();
    const { pipeline, registry } = governedPipelineOn(store);
    await recordBuiltinPolicies(store, registry);
    const g = governance(pipeline);
    const orgId = await g.registerOrg('before-the-change');
    const subject = await g.registerSubject('someone');
    ok(await g.defineRole(orgId, { name: 'writer' }));
    refused(await g.updateOrg(orgId, 'not theirs', asSubject(subject)));

    const source = { store, registry };
    const timelines = orgTimelines(await loadOrgHistory(source, orgId));
    const decisions = [];
    for await (const decision of orgDecisions(source, orgId, { from: null, to: await store.headPosition(), since: null, until: null }))
      decisions.push(decision);
    expect(decisions.length).toBeGreaterThanOrEqual(3);

    // The code's platform policy has changed since (a rule added): its hash no longer matches the recorded one.
    const fromLog = await builtInsFromLog(source);
    const changedCode = hashed([...platformPolicy, { id: 'platform:new-rule', effect: 'permit', actions: ['org.read'], reason: 'added later' }]);
    const withHistory = new ReplayContext(timelines, { ...fromLog, platform: changedCode });
    const withoutHistory = new ReplayContext(timelines, { ...fromLog, platform: changedCode, history: { platform: new Map(), defaultOrg: new Map() } });

    for (const decision of decisions) {
      expect(reevaluateDecision(withHistory, decision).status, decision.data.action).toBe('agreed');
      expect(reevaluateDecision(withoutHistory, decision)).toMatchObject({ status: 'unverifiable', code: 'PLATFORM_POLICY_CHANGED' });
    }
  });
});
