import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rosterAggregate } from '../../commands/handlers/roster.ts';
import { decideRead } from '../../commands/governance/read-check.ts';
import { asSubject, governance, ok } from '../support/governance-fixtures.ts';
import { admin, commandId, governedPipelineOn, tempStore } from '../support/pipeline.ts';

describe('reads of an org by its members', () => {
  it('count a member whose only role is limited to a job space, and nobody else', async () => {
    const { pipeline, loader } = governedPipelineOn(tempStore());
    const g = governance(pipeline);
    const orgId = await g.registerOrg('spaces');
    const member = await g.registerSubject('member');
    const outsider = await g.registerSubject('outsider');
    ok(
      await pipeline.execute(
        rosterAggregate,
        { type: 'DefineJobSpace', data: { orgId, jobSpace: { name: 'papers' } } },
        { commandId: commandId(), principal: admin },
      ),
    );
    ok(await g.defineRole(orgId, { name: 'writer' }));
    ok(
      await pipeline.execute(
        rosterAggregate,
        { type: 'GrantRole', data: { orgId, associationId: randomUUID(), subjectId: member, role: 'writer', jobSpace: 'papers' } },
        { commandId: commandId(), principal: admin },
      ),
    );
    const read = (subjectId: string) =>
      decideRead(loader, {
        principal: asSubject(subjectId),
        action: 'roster.read',
        orgId,
        resource: { type: 'roster', id: orgId },
        query: { type: 'ReadRoster', data: {} },
      });
    expect((await read(member)).allowed).toBe(true);
    expect((await read(outsider)).allowed).toBe(false);
  });
});
