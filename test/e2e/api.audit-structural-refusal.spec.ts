import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { gql } from './graphql.client.ts';

/** A grant refused because the role is full, as the audit shows it over HTTP, GraphQL and the audit replay routes. */
describe('a refusal by the org structure, over the API', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  beforeAll(async () => {
    orgId = await api.registerOrg('full-house');
    await api.defineRole(orgId, { name: 'reviewer', maxHolders: 1 });
    await api.expectStatus(await api.grant(orgId, await api.registerSubject('first'), 'reviewer'), 201);
    const full = await api.grant(orgId, await api.registerSubject('second'), 'reviewer');
    expect(full.json()).toMatchObject({ code: 'ROLE_MAX_HOLDERS' });
  });

  it('lists the decision with its result and refusal, and filters by result', async () => {
    const refusedOnes = await api.expectStatus(await api.get(`/orgs/${orgId}/decisions?result=refused-by-structure`), 200);
    expect(refusedOnes.decisions).toEqual([
      expect.objectContaining({
        action: 'roster.role.grant',
        outcome: 'permitted',
        result: 'refused-by-structure',
        refusal: { kind: 'conflict', code: 'ROLE_MAX_HOLDERS', message: expect.stringContaining('reviewer') },
        streamId: `audit-${orgId}`,
      }),
    ]);
    const applied = await api.expectStatus(await api.get(`/orgs/${orgId}/decisions?result=applied`), 200);
    expect(applied.decisions.map((decision: { action: string; refusal: unknown }) => [decision.action, decision.refusal])).toEqual([
      ['roster.role.grant', null],
      ['roster.role.define', null],
      ['org.register', null],
    ]);
    expect((await api.get(`/orgs/${orgId}/decisions?result=maybe`)).statusCode).toBe(400);

    const answer = await gql<{ decisions: { edges: Array<{ node: Record<string, unknown> }> } }>(
      server,
      `query($org: ID!) { decisions(orgId: $org, filter: { refusalCode: "ROLE_MAX_HOLDERS" }) { edges { node { action outcome result refusal { kind code } } } } }`,
      { org: orgId },
    );
    expect(answer.errors).toEqual([]);
    expect(answer.data?.decisions.edges.map((edge) => edge.node)).toEqual([
      { action: 'roster.role.grant', outcome: 'PERMITTED', result: 'REFUSED_BY_STRUCTURE', refusal: { kind: 'conflict', code: 'ROLE_MAX_HOLDERS' } },
    ]);
  });

  it('re-evaluates the refusal to the same code, and a what-if with maxHolders raised flips it', async () => {
    const report = await api.expectStatus(await api.get(`/audit/orgs/${orgId}/reevaluate`), 200);
    expect(report.structure).toMatchObject({ checked: 1, agreed: 1, differed: 0 });
    expect(report.counts.differed).toBe(0);

    const whatIf = await api.expectStatus(await api.post(`/audit/orgs/${orgId}/what-if`, { structure: { roles: { reviewer: { maxHolders: 2 } } } }), 200);
    expect(whatIf.draft).toBeNull();
    expect(whatIf.structure).toMatchObject({ flipped: 1, nowApplied: 1 });
    expect(whatIf.structure.flips).toEqual([
      expect.objectContaining({
        action: 'roster.role.grant',
        effect: 'now-applied',
        result: { status: 'refused-by-structure', code: 'ROLE_MAX_HOLDERS' },
        hypothetical: { status: 'applied', code: null },
      }),
    ]);

    const nothing = await api.post(`/audit/orgs/${orgId}/what-if`, { structure: {} });
    expect(nothing.statusCode).toBe(400);
    expect(nothing.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    const badLimit = await api.post(`/audit/orgs/${orgId}/what-if`, { structure: { roles: { reviewer: { maxHolders: 0 } } } });
    expect(badLimit.statusCode).toBe(400);
  });
});
