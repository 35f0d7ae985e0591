import { describe, expect, it } from 'vitest';
import { subjectAggregate } from '../../commands/handlers/subject.ts';
import { asSubject, governance, ok, refused } from '../support/governance-fixtures.ts';
import { admin, commandId, governedPipelineOn, tempStore } from '../support/pipeline.ts';

describe('capability verification is scoped to the org that verified', () => {
  it('does not let a subject found an org to vouch for a friend everywhere', async () => {
    const { pipeline } = governedPipelineOn(tempStore());
    const g = governance(pipeline);
    const lab = await g.registerOrg('lab');
    ok(await g.defineRole(lab, { name: 'safety-officer', requiredCapabilities: [{ name: 'lab.safety', level: 5, verified: true }] }));
    const schemer = await g.registerSubject('schemer');
    const friend = await g.registerSubject('friend', [{ name: 'lab.safety', level: 9 }]);
    const shell = await g.registerOrg('shell-org', asSubject(schemer));
    const verify = (orgId: string, principal = admin) =>
      pipeline.execute(
        subjectAggregate,
        { type: 'VerifyCapability', data: { subjectId: friend, name: 'lab.safety', level: 9, orgId } },
        { commandId: commandId(), principal },
      );

    ok(await verify(shell, asSubject(schemer)));
    expect(refused(await g.grant(lab, friend, 'safety-officer'))).toMatchObject({ code: 'MISSING_CAPABILITY' });
    ok(await verify(lab));
    ok(await g.grant(lab, friend, 'safety-officer'));
  });
});
