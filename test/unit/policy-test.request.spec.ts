import { describe, expect, it } from 'vitest';
import { orgIdForSlug } from '../../bin/apply/plan.ts';
import { completeCommand } from '../../bin/policy/command-shapes.ts';
import { STANDALONE_ORG_ID } from '../../bin/policy/policy-file.ts';
import { buildRequest } from '../../bin/policy/request.ts';
import { requestInputSchema } from '../../bin/policy/request-schema.ts';
import type { PolicyRequest } from '../../domain/policy/types.ts';
import { exampleText, policyFrom, rule } from '../support/policy-test-fixtures.ts';

/** A stated request becomes the PolicyRequest the platform would build for it. */
const rules = policyFrom([rule('members-read', 'permit', ['*.read'], { when: 'size(principal.roles) > 0' })]);
const desk = policyFrom(exampleText('examples/support-desk.yaml'), 'examples/support-desk.yaml');
const lab = policyFrom(exampleText('examples/research-lab.yaml'), 'examples/research-lab.yaml');
const subject = '7f4d259c-ecde-4e1b-adb2-c8802fddab04';

function built(policy: typeof rules, input: unknown, now = new Date().toISOString()): PolicyRequest {
  const result = buildRequest(requestInputSchema.parse(input), policy, { now });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.request;
}

describe('policy test requests', () => {
  it('with an org spec, adds inherited roles and derives groups from the roles held, as the roster does', () => {
    const { principal } = built(desk, { principal: { id: 'dana', roles: ['lead'] }, action: 'org.read' });
    expect(principal).toEqual({
      id: 'dana',
      kind: 'subject',
      roles: ['lead', 'tier1', 'tier2'],
      groups: ['escalation', 'management', 'responders'],
      capabilities: {},
    });
  });

  it('without an org spec, takes roles and groups as the effective ones given', () => {
    const { principal } = built(rules, {
      principal: { id: 'eve', roles: ['writer', 'editor', 'writer'], groups: ['staff'], capabilities: { 'lang.de': 4 } },
      action: 'org.read',
    });
    expect(principal).toEqual({ id: 'eve', kind: 'subject', roles: ['editor', 'writer'], groups: ['staff'], capabilities: { 'lang.de': 4 } });
  });

  it('gives an admin or system principal what the platform gives it', () => {
    expect(built(rules, { principal: { id: 'ops', kind: 'admin' }, action: 'org.read' }).principal).toEqual({
      id: 'ops',
      kind: 'admin',
      roles: ['platform-admin'],
      groups: [],
      capabilities: {},
    });
    expect(built(rules, { principal: { id: 'sys', kind: 'system' }, action: 'org.read' }).principal.roles).toEqual(['platform-system']);
  });

  it("is about the spec's org as apply registers it, or a placeholder org for a rule list; a case may change any field", () => {
    expect(built(lab, { principal: { id: 'x' }, action: 'org.read' }).org).toEqual({
      id: orgIdForSlug('research-lab'),
      status: 'active',
      ownerId: null,
      tags: ['ml', 'research'],
      metadata: { region: 'eu', 'cost-center': 'rnd-42' },
    });
    expect(built(rules, { principal: { id: 'x' }, action: 'org.read' }).org.id).toBe(STANDALONE_ORG_ID);
    expect(built(rules, { principal: { id: 'x' }, action: 'org.read', org: { ownerId: 'x', status: 'suspended' } }).org).toMatchObject({
      id: STANDALONE_ORG_ID,
      ownerId: 'x',
      status: 'suspended',
    });
  });

  it('derives the resource as the pipeline does: type from the action, the job space from the payload', () => {
    const request = built(desk, {
      principal: { id: 'x', roles: ['lead'] },
      action: 'roster.role.grant',
      command: { data: { role: 'tier1', subjectId: subject, jobSpace: 'eu-queue' } },
    });
    expect(request.resource).toEqual({ type: 'roster', id: null, jobSpace: 'eu-queue', attributes: {} });
    const stated = built(rules, { principal: { id: 'x' }, action: 'org.read', resource: { type: 'org', id: 'o-1', attributes: { size: 3 } } });
    expect(stated.resource).toEqual({ type: 'org', id: 'o-1', jobSpace: null, attributes: { size: 3 } });
  });

  it('names the command of the action and fills its defaults and the org, as the pipeline parses a command', () => {
    const request = built(lab, { principal: { id: 'x' }, action: 'roster.role.grant', command: { data: { role: 'writer', subjectId: subject } } });
    expect(request.command).toEqual({
      type: 'GrantRole',
      data: { orgId: orgIdForSlug('research-lab'), role: 'writer', subjectId: subject, jobSpace: null, expiresAt: null, parentSubjectId: null },
    });
    expect(built(lab, { principal: { id: 'x' }, action: 'org.update' }).command).toEqual({
      type: 'UpdateOrgMetadata',
      data: { orgId: orgIdForSlug('research-lab') },
    });
  });

  it('leaves the command of a read as stated: reads name themselves', () => {
    expect(built(rules, { principal: { id: 'x' }, action: 'org.read' }).command).toEqual({ type: '', data: {} });
    expect(built(rules, { principal: { id: 'x' }, action: 'org.read', command: { type: 'ReadOrg', data: { orgId: 'o-1' } } }).command).toEqual({
      type: 'ReadOrg',
      data: { orgId: 'o-1' },
    });
  });

  it('refuses a command type that is not what the action is decided for, or not a command at all', () => {
    const org = STANDALONE_ORG_ID;
    expect(completeCommand('roster.role.grant', { type: 'RevokeRole' }, org)).toEqual({
      ok: false,
      issues: [
        {
          path: ['command', 'type'],
          message: 'RevokeRole is decided as roster.role.revoke, not roster.role.grant (roster.role.grant is decided for GrantRole)',
        },
      ],
    });
    expect(completeCommand('roster.role.grant', { type: 'GrantRoles' }, org)).toMatchObject({ ok: false, issues: [{ path: ['command', 'type'] }] });
    expect(completeCommand('roster.role.grant', { data: { role: 'x', expiresAt: 'tomorrow' } }, org)).toMatchObject({
      ok: false,
      issues: [{ path: ['command', 'data', 'expiresAt'] }],
    });
  });
});
