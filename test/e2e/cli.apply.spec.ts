import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/cli-process.ts';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import { orgIdForSlug } from '../../bin/apply/plan.ts';
import { loadSpec, type OrgSpec } from '../../bin/apply/spec.ts';
import { killAllServers, startServer, type ServerProcess } from '../support/server-process.ts';

/**
 * `agencygrid apply` end to end: the real server as a child process, the CLI as another, talking HTTP.
 * Dry run changes nothing; apply builds the org; applying again changes nothing (not one event); the policy it
 * published then governs subjects, with explained denials.
 */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_KEY = 'e2e-cli-apply-admin-key-0123456789abcdef';
const LAB = 'examples/research-lab.yaml';
const DESK = 'examples/support-desk.yaml';

const ada = 'a1a92c72-6644-42bb-b446-e3c2f953150f'; // editor
const wes = '7f4d259c-ecde-4e1b-adb2-c8802fddab04'; // writer
const lin = '23eec86a-68ae-4e8c-91b9-59e56a223714'; // writer in paper-2027

function loadExample(path: string): OrgSpec {
  const loaded = loadSpec(readFileSync(join(repoRoot, path), 'utf8'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.spec;
}

// Each test starts the CLI as a child process (node + tsx) several times: seconds each on a busy 2-core machine.
describe('agencygrid apply against a running server', { timeout: 60_000 }, () => {
  let server: ServerProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'agencygrid-cli-apply-'));
    server = await startServer({ dataDir, adminKey: ADMIN_KEY, logLevel: 'warn' });
  });
  afterAll(async () => {
    await killAllServers('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs the CLI as a user would (`node --import tsx bin/agencygrid.ts ...`), with only the env it should see. */
  function cli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
    return runCli([...args], { AGENCYGRID_URL: server.baseUrl, AGENCYGRID_API_KEY: ADMIN_KEY, ...env });
  }

  const request = async (method: 'GET' | 'POST', path: string, key = ADMIN_KEY, body?: unknown) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** The head of the log, read straight from the SQLite file: any appended event changes it. */
  function head(): { events: number; position: number | null } {
    const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT COUNT(*) AS events, MAX(position) AS position FROM events').get() as { events: number; position: number | null };
      return { events: row.events, position: row.position };
    } finally {
      db.close();
    }
  }

  /** What the API shows of an org and the subjects of a spec. */
  async function snapshot(spec: OrgSpec) {
    const org = await request('GET', `/orgs/by-slug/${spec.org.slug}`);
    const orgId = typeof org.body.orgId === 'string' ? org.body.orgId : null;
    const subjects = await Promise.all(spec.subjects.map(async (subject) => (await request('GET', `/subjects/${subject.id}`)).body));
    return {
      org: org.body,
      roster: orgId ? (await request('GET', `/orgs/${orgId}/roster`)).body : null,
      policies: orgId ? (await request('GET', `/orgs/${orgId}/policies`)).body : null,
      subjects,
    };
  }

  it('refuses to run without an API key, in one line', async () => {
    const run = await cli(['apply', '-f', LAB], { AGENCYGRID_API_KEY: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/AGENCYGRID_API_KEY is not set/);
  });

  it('reports an invalid spec with paths and lines, before any request', async () => {
    const bad = join(dataDir, 'bad.yaml');
    writeFileSync(bad, readFileSync(join(repoRoot, LAB), 'utf8').replace('maxHolders: 3 ', 'maxHolders: -3 ').replace('kind: Org', 'kind: Team'));
    const before = head();
    const run = await cli(['apply', '-f', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/kind \(line \d+, column \d+\): /);
    expect(run.stderr).toMatch(/roles\[2\]\.maxHolders \(line \d+, column \d+\): /);
    expect(head()).toEqual(before);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const lab = loadExample(LAB);
    const before = { head: head(), api: await snapshot(lab) };
    expect(before.api.org).toMatchObject({ code: 'ORG_NOT_FOUND' });

    const run = await cli(['apply', '-f', LAB, '--dry-run']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const orgId = orgIdForSlug('research-lab');
    expect(run.stdout).toContain(`plan for org research-lab (${orgId}, new)`);
    expect(run.stdout).toMatch(/ 1\. register org research-lab \(Research Lab\)\n +POST \/orgs /);
    expect(run.stdout).toMatch(/define role member[\s\S]*define role writer[\s\S]*grant editor to Ada[\s\S]*draft policy[\s\S]*publish the drafted policy/);
    expect(run.stdout).toContain('dry run: nothing was changed');

    expect(head()).toEqual(before.head);
    expect(await snapshot(lab)).toEqual(before.api);
  });

  it('applies the research lab, then applying again changes nothing', async () => {
    const lab = loadExample(LAB);
    const run = await cli(['apply', '-f', LAB]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ok +1\/21 register org research-lab .* -> 201 org-[0-9a-f-]+@1 OrgRegistered/);
    expect(run.stdout).toMatch(/ok 21\/21 publish the drafted policy .* -> 200 policy-.* PolicyPublished/);
    expect(run.stdout).toContain(`applied 21 changes; org research-lab (${orgIdForSlug('research-lab')}) matches the spec`);

    const orgId = orgIdForSlug('research-lab');
    const org = await request('GET', `/orgs/${orgId}`);
    expect(org.body).toMatchObject({ slug: 'research-lab', name: 'Research Lab', tags: ['ml', 'research'], owner: { kind: 'admin' } });
    const roster = await request('GET', `/orgs/${orgId}/roster`);
    const roles = roster.body.roles as Array<{ name: string; maxHolders: number | null }>;
    expect(roles.map((role) => role.name).sort()).toEqual(['editor', 'member', 'reviewer', 'writer']);
    expect(roles.find((role) => role.name === 'reviewer')?.maxHolders).toBe(3);
    expect(roster.body.conflicts).toEqual([{ roles: ['writer', 'reviewer'], reason: 'nobody reviews papers they may have written' }]);
    const associations = roster.body.associations as Array<{ active: boolean }>;
    expect(associations.filter((association) => association.active)).toHaveLength(5);
    const policies = await request('GET', `/orgs/${orgId}/policies`);
    expect(policies.body).toMatchObject({ published: 1, effective: { source: 'org', version: 1, hash: hashPolicyRules(lab.policy?.rules ?? []) } });

    const before = { head: head(), api: await snapshot(lab) };
    const again = await cli(['apply', '-f', LAB]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`no changes: org research-lab (${orgId}) matches ${LAB}\n`);
    expect(head()).toEqual(before.head);
    expect(await snapshot(lab)).toEqual(before.api);
  });

  it('applies the support desk (dynamic roles, an expiring association) and is idempotent too', async () => {
    // The example's expiry is a calendar date; the server runs on the real clock, so the test moves it a year ahead.
    const expiresAt = `${new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`;
    const desk = join(dataDir, 'support-desk.yaml');
    const example = readFileSync(join(repoRoot, DESK), 'utf8');
    expect(example).toContain('expiresAt: "2030-01-01T00:00:00Z"');
    writeFileSync(desk, example.replace('expiresAt: "2030-01-01T00:00:00Z"', `expiresAt: "${expiresAt}"`));
    const run = await cli(['apply', '-f', desk]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`grant on-call to Debugger until ${expiresAt}`);
    const orgId = orgIdForSlug('support-desk');
    const roster = await request('GET', `/orgs/${orgId}/roster`);
    const onCall = (roster.body.associations as Array<{ role: string; expiresAt: string | null; active: boolean }>).find((a) => a.role === 'on-call');
    expect(onCall).toMatchObject({ expiresAt, active: true });

    const before = head();
    const again = await cli(['apply', '-f', desk]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^no changes: org support-desk/);
    expect(head()).toEqual(before);
  });

  it('plans and applies only a change, and stops with the server error when a command is refused', async () => {
    const orgId = orgIdForSlug('research-lab');
    const changed = join(dataDir, 'research-lab.v2.yaml');
    writeFileSync(changed, readFileSync(join(repoRoot, LAB), 'utf8').replace('maxHolders: 3 ', 'maxHolders: 2 '));
    const dry = await cli(['apply', '-f', changed, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('1 step\n');
    expect(dry.stdout).toContain('update role reviewer (holders 0..2; inherits member)');
    const applied = await cli(['apply', '-f', changed]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/ok 1\/1 update role reviewer .* RoleDefined/);

    // Two reviewers hold the role: a maximum of 1 is refused by the roster (the spec itself is valid, as it no longer
    // grants the second reviewer).
    const refused = join(dataDir, 'research-lab.v3.yaml');
    writeFileSync(
      refused,
      readFileSync(join(repoRoot, LAB), 'utf8')
        .replace('maxHolders: 3 ', 'maxHolders: 1 ')
        .replace(/^.*e372b1f3-51a4-45dd-ab72-2d92fe160382, role: reviewer.*\n/m, ''),
    );
    const before = head();
    const run = await cli(['apply', '-f', refused]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('FAILED 1/1 update role reviewer');
    expect(run.stderr).toContain(`POST /orgs/${orgId}/roles -> 409`);
    expect(run.stderr).toContain('ROLE_MAX_BELOW_HOLDERS: role reviewer has 2 holders, more than the new maximum 1');
    expect(run.stderr).toContain('      maxHolders: 1\n');
    // Nothing changed but the record: the policy permitted the change and the roster refused it, so that permit is
    // recorded in the org's audit stream (one event).
    expect(head()).toEqual({ events: before.events + 1, position: (before.position ?? 0) + 1 });

    // Back to the original spec: the earlier definition is applied again (a new command, not a replay of the first).
    const back = await cli(['apply', '-f', LAB]);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/ok 1\/1 update role reviewer \(holders 0\.\.3; inherits member\) -> 200 .* RoleDefined/);
  });

  it('the published policy governs subjects: denials come with their explanation', async () => {
    const orgId = orgIdForSlug('research-lab');
    const issue = async (subjectId: string) => {
      const issued = await request('POST', `/subjects/${subjectId}/api-keys`, ADMIN_KEY, { label: 'e2e' });
      expect(issued.status).toBe(201);
      return String(issued.body.key);
    };
    const wesKey = await issue(wes);
    const adaKey = await issue(ada);

    // A writer granting itself the reviewer role: forbidden by a rule, with the reason and whom to escalate to.
    const selfGrant = await request('POST', `/orgs/${orgId}/associations`, wesKey, { subjectId: wes, role: 'reviewer' });
    expect(selfGrant.status).toBe(403);
    expect(selfGrant.body).toMatchObject({
      code: 'POLICY_DENIED',
      message: 'nobody grants a role to themselves',
      details: { outcome: 'forbidden', determiningRuleIds: ['no-self-grants'], escalateTo: 'editor', policy: { source: 'org', version: 1 } },
    });

    // A writer granting someone else a role: nothing permits it.
    const grant = await request('POST', `/orgs/${orgId}/associations`, wesKey, { subjectId: lin, role: 'reviewer' });
    expect(grant.status).toBe(403);
    expect(grant.body).toMatchObject({ code: 'POLICY_DENIED', details: { outcome: 'not-permitted', determiningRuleIds: [] } });

    // The editor may grant reviewers (the `command.data.role in [...]` condition) ...
    const editorGrant = await request('POST', `/orgs/${orgId}/associations`, adaKey, { subjectId: wes, role: 'reviewer' });
    // ... but the roster still enforces separation of duties: Wes writes, so he cannot review.
    expect(editorGrant.status).toBe(409);
    expect(editorGrant.body).toMatchObject({ code: 'ROLE_CONFLICT', details: { role: 'reviewer', conflictsWith: 'writer' } });
    // ... and may never appoint an editor.
    const appoint = await request('POST', `/orgs/${orgId}/associations`, adaKey, { subjectId: lin, role: 'editor' });
    expect(appoint.status).toBe(403);
    expect(appoint.body).toMatchObject({ details: { outcome: 'forbidden', determiningRuleIds: ['editor-role-is-appointed'], escalateTo: 'platform-admin' } });

    // Each denial is on the record.
    const denied = await request('GET', `/orgs/${orgId}/decisions?outcome=forbidden`);
    expect(denied.status).toBe(200);
    const actions = (denied.body.decisions as Array<{ determiningRuleIds: string[] }>).map((decision) => decision.determiningRuleIds);
    expect(actions).toEqual(expect.arrayContaining([['no-self-grants'], ['editor-role-is-appointed']]));

    // The writer's key cannot apply the spec either: it may read the org, not the other subjects.
    const asWriter = await cli(['apply', '-f', LAB, '--dry-run'], { AGENCYGRID_API_KEY: wesKey });
    expect(asWriter.code).toBe(1);
    expect(asWriter.stderr).toMatch(/GET \/subjects\/[0-9a-f-]+ failed \(403\)/);
  });
});
