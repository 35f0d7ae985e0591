import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLabRules } from '../support/audit-lab-rules.ts';
import { runCli, type CliRun } from '../support/cli-process.ts';
import { stringify } from 'yaml';
import { killAllServers, startServer, type ServerProcess } from '../support/server-process.ts';

/**
 * `agencygrid audit ...` end to end: the real server as a child process, the CLI as another, talking HTTP with
 * AGENCYGRID_URL and AGENCYGRID_API_KEY.
 */
const ADMIN_KEY = 'e2e-cli-audit-admin-key-0123456789abcdef';

const rules = auditLabRules;

// Each test starts the CLI as a child process (node + tsx) several times: seconds each on a busy 2-core machine.
describe('agencygrid audit against a running server', { timeout: 60_000 }, () => {
  let server: ServerProcess;
  let dataDir: string;
  let orgId: string;
  let wes: { id: string; key: string };
  let outsider: { id: string; key: string };
  let grantPosition: string;

  const request = async (method: 'GET' | 'POST', path: string, body?: unknown, key = ADMIN_KEY) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  function cli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
    return runCli(['audit', ...args], { AGENCYGRID_URL: server.baseUrl, AGENCYGRID_API_KEY: ADMIN_KEY, ...env });
  }

  async function subjectWithKey(displayName: string) {
    const subject = await request('POST', '/subjects', { kind: 'agent', displayName });
    const id = String(subject.body.subjectId);
    const key = await request('POST', `/subjects/${id}/api-keys`, { label: 'cli' });
    return { id, key: String(key.body.key) };
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'agencygrid-cli-audit-'));
    server = await startServer({ dataDir, adminKey: ADMIN_KEY, logLevel: 'warn' });
    wes = await subjectWithKey('Wes');
    outsider = await subjectWithKey('Outsider');
    orgId = String((await request('POST', '/orgs', { name: 'Audit Lab', slug: 'audit-lab' })).body.orgId);
    await request('POST', `/orgs/${orgId}/roles`, { name: 'writer' });
    grantPosition = String((await request('POST', `/orgs/${orgId}/associations`, { subjectId: wes.id, role: 'writer' })).body.position);
    const drafted = await request('POST', `/orgs/${orgId}/policies`, { rules });
    await request('POST', `/orgs/${orgId}/policies/${String(drafted.body.version)}/publish`, {});
    expect((await request('POST', `/orgs/${orgId}/metadata`, { description: 'w: by a writer' }, wes.key)).status).toBe(200);
    expect((await request('POST', `/orgs/${orgId}/metadata`, { description: 'x: reserved' }, wes.key)).status).toBe(403);
    // An outsider is answered as for an org that does not exist (its refusal is recorded in its own audit stream).
    expect((await request('POST', `/orgs/${orgId}/metadata`, { description: 'mine' }, outsider.key)).status).toBe(404);
  });
  afterAll(async () => {
    await killAllServers('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Every CLI run starts node with tsx (about a second each): these tests get a minute.
  const slow = 60_000;

  it(
    'prints the state of an org by slug, now and as of a position',
    async () => {
      const now = await cli(['state', 'audit-lab', '--subject', wes.id]);
      expect(now.stderr).toBe('');
      expect(now.code).toBe(0);
      expect(now.stdout).toContain(`org audit-lab (${orgId}) as of now (head of the log)`);
      expect(now.stdout).toContain('policy in force: org v1');
      expect(now.stdout).toMatch(new RegExp(`subject ${wes.id} \\(org-wide\\): roles writer`));

      const before = await cli(['state', orgId, '--position', String(BigInt(grantPosition) - 2n), '--subject', wes.id]);
      expect(before.code).toBe(0);
      expect(before.stdout).toContain('policy in force: default policy');
      expect(before.stdout).toMatch(new RegExp(`subject ${wes.id} \\(org-wide\\): roles -`));

      const json = await cli(['state', 'audit-lab', '--position', grantPosition, '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({
        orgId,
        cut: { by: 'position', position: grantPosition },
        members: [{ subjectId: wes.id, roles: ['writer'] }],
      });
    },
    slow,
  );

  it(
    're-evaluates every decision: all agree, exit 0; the JSON report merges pages',
    async () => {
      const run = await cli(['reevaluate', 'audit-lab']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/re-evaluation of org audit-lab .*: whole history/);
      expect(run.stdout).toMatch(/all \d+ recorded decisions agree with re-evaluation/);
      expect(run.stdout).toMatch(/org\.update\s+3/);
      const json = JSON.parse((await cli(['reevaluate', 'audit-lab', '--json', '--from', grantPosition])).stdout);
      expect(json).toMatchObject({ orgId, range: { from: grantPosition, complete: true }, differed: [], unverifiable: [] });
      expect(json.total).toBe(json.agreed);
    },
    slow,
  );

  it(
    'what-if from a rules file and from a version, readable and as JSON; --fail-on-flip',
    async () => {
      const file = join(dataDir, 'freeze.yaml');
      writeFileSync(
        file,
        stringify({
          policy: { rules: [...rules, { id: 'freeze', effect: 'forbid', actions: ['org.update'], reason: 'the lab is frozen', escalateTo: 'board' }] },
        }),
      );
      const run = await cli(['what-if', 'audit-lab', '-f', file, '--from', grantPosition]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`what-if of the rules in ${file} (4 rules`);
      expect(run.stdout).toMatch(/permitted->forbidden\s+1/);
      expect(run.stdout).toContain('PERMITTED->FORBIDDEN');
      expect(run.stdout).toContain('hypothetical: forbidden by freeze ("the lab is frozen"); escalate to board');
      expect(run.stdout).toMatch(/\d+ decisions? would change/);

      const strict = await cli(['what-if', 'audit-lab', '-f', file, '--fail-on-flip', '--json']);
      expect(strict.code).toBe(1);
      expect(JSON.parse(strict.stdout)).toMatchObject({ draft: { source: 'inline', rules: 4 }, nowDenied: expect.any(Number) });

      const version = await cli(['what-if', 'audit-lab', '--version', '1', '--from', grantPosition, '--fail-on-flip']);
      expect(version.code).toBe(0);
      expect(version.stdout).toContain('nothing would change');
    },
    slow,
  );

  it(
    'exits 2 on bad usage or an invalid rules file, 3 when the API refuses',
    async () => {
      const both = await cli(['state', 'audit-lab', '--position', '3', '--at', '2026-01-01T00:00:00Z']);
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('give --position or --at, not both');

      const bad = join(dataDir, 'bad.yaml');
      writeFileSync(bad, stringify([{ id: 'typo', effect: 'permit', actions: ['org.updaet'], reason: 'typo' }]));
      const invalid = await cli(['what-if', 'audit-lab', '-f', bad]);
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toContain("rules[0].actions[0]: action pattern 'org.updaet' matches no known action");

      const unknown = await cli(['state', 'no-such-org']);
      expect(unknown.code).toBe(3);
      expect(unknown.stderr).toContain('ORG_NOT_FOUND');
      // A subject that is no member of the org may not read its audit: for it, the org does not exist.
      const denied = await cli(['reevaluate', orgId], { AGENCYGRID_API_KEY: outsider.key });
      expect(denied.code).toBe(3);
      expect(denied.stderr).toContain('ORG_NOT_FOUND');
    },
    slow,
  );

  // Last: it alters the log.
  it(
    'exits 1 and shows the decision when a recorded decision differs from its re-evaluation',
    async () => {
      const db = new Database(join(dataDir, 'events.db'));
      try {
        const row = db
          .prepare(
            "SELECT position FROM events WHERE type = 'DecisionRecorded' AND json_extract(data, '$.outcome') = 'forbidden' AND json_extract(data, '$.orgId') = ?",
          )
          .get(orgId) as { position: number } | undefined;
        if (!row) throw new Error('no forbidden decision');
        db.prepare("UPDATE events SET data = json_set(data, '$.outcome', 'permitted') WHERE position = ?").run(row.position);
      } finally {
        db.close();
      }
      const run = await cli(['reevaluate', 'audit-lab']);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/DIFFERED @\d+ .* org\.update by subject /);
      expect(run.stdout).toContain('re-evaluated: forbidden by no-x ("x is reserved")');
      expect(run.stdout).toContain('1 decision came out differently');
    },
    slow,
  );
});
