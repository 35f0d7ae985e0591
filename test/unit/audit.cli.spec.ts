import { Command } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { auditCommand } from '../../bin/audit/cli.ts';
import type { AuditIo } from '../../bin/audit/options.ts';
import { rulesFromDocument } from '../../bin/audit/run.ts';
import { runCli } from '../../bin/cli/run.ts';
import { formatReevaluation } from '../../bin/audit/format.ts';
import type { ReevaluationReport, WhatIfReport } from '../../domain/audit/report.ts';
import { capturedOutput } from '../support/captured-output.ts';

const ORG = '0b6f3d52-1c2e-4f7a-9d3b-5a4c3b2a1f00';

/** `agencygrid audit <argv>` in process, the API and the terminal replaced by `io`: returns the exit status. */
function runAudit(argv: string[], io: AuditIo): Promise<number> {
  return runCli(new Command('agencygrid').addCommand(auditCommand(io)), ['audit', ...argv], { output: io });
}

function reevaluation(overrides: Partial<ReevaluationReport> = {}, range: Partial<ReevaluationReport['range']> = {}): ReevaluationReport {
  return {
    orgId: ORG,
    range: { from: null, to: null, since: null, until: null, head: '500', limit: 100_000, first: '10', last: '90', complete: true, next: null, ...range },
    platformPolicyHash: 'a'.repeat(64),
    total: 4,
    agreed: 4,
    counts: { differed: 0, unverifiable: 0, drifted: 0, warnings: 0 },
    unverifiableByCode: {},
    byAction: { 'org.update': { total: 4, agreed: 4, differed: 0, unverifiable: 0 } },
    differed: [],
    unverifiable: [],
    drifted: [],
    warnings: [],
    structure: { checked: 0, agreed: 0, differed: 0, notReplayed: 0, notReplayedByCode: {}, notReplayedItems: [] },
    omitted: { differed: 0, unverifiable: 0, drifted: 0, warnings: 0, structureNotReplayed: 0 },
    maxItems: 50,
    ...overrides,
  };
}

const ref = {
  decisionId: 'd-1',
  position: '42',
  streamId: `audit-${ORG}`,
  occurredAt: '2026-01-15T22:00:00.000Z',
  action: 'org.update',
  principal: { id: 'subject-1', kind: 'subject', roles: ['writer'] },
  policy: { source: 'org' as const, version: 2, hash: 'b'.repeat(64) },
  result: { status: 'refused-by-policy' as const, code: null },
};

const noStructure: WhatIfReport['structure'] = {
  changes: null,
  evaluated: 0,
  unchanged: 0,
  flipped: 0,
  nowApplied: 0,
  nowRefused: 0,
  otherRefusal: 0,
  notReplayed: 0,
  notReplayedByCode: {},
  flips: [],
  omitted: 0,
};

/** A fake API: answers from a list of [method + path prefix, status, body], recording the requests. */
function fakeApi(answers: Array<[string, number, unknown]>) {
  const requests: Array<{ method: string; url: string; body?: string }> = [];
  const fetch = async (input: string, init: { method: string; body?: string }) => {
    const url = new URL(input);
    requests.push({ method: init.method, url: `${url.pathname}${url.search}`, ...(init.body === undefined ? {} : { body: init.body }) });
    const index = answers.findIndex(([prefix]) => `${init.method} ${url.pathname}${url.search}`.startsWith(prefix));
    if (index === -1) return new Response(JSON.stringify({ code: 'NOT_FOUND', message: `no route ${url.pathname}`, details: {} }), { status: 404 });
    const [[, status, body]] = answers.splice(index, 1) as [[string, number, unknown]];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  const captured = capturedOutput();
  const io = { baseUrl: 'http://api.test', apiKey: 'key', fetch, out: captured.out, err: captured.err };
  return { io, requests, output: () => ({ out: captured.stdout(), err: captured.stderr() }) };
}

describe('agencygrid audit (in process)', () => {
  it("resolves a slug, fetches every page (from = next, to = the first page's head) and merges them", async () => {
    const api = fakeApi([
      ['GET /orgs/by-slug/lab', 200, { orgId: ORG, slug: 'lab' }],
      [`GET /audit/orgs/${ORG}/reevaluate?maxItems=50`, 200, reevaluation({}, { complete: false, next: '91' })],
      [`GET /audit/orgs/${ORG}/reevaluate?from=91&to=500&maxItems=50`, 200, reevaluation({ total: 2, agreed: 2 }, { first: '91', last: '120' })],
    ]);
    expect(await runAudit(['reevaluate', 'lab'], api.io)).toBe(0);
    expect(api.requests.map((request) => request.url)).toEqual([
      '/orgs/by-slug/lab',
      `/audit/orgs/${ORG}/reevaluate?maxItems=50`,
      `/audit/orgs/${ORG}/reevaluate?from=91&to=500&maxItems=50`,
    ]);
    expect(api.output().out).toContain('6 decisions: 6 agreed, 0 differed, 0 unverifiable');
    expect(api.output().out).toContain('decisions at 10..120');
    expect(api.output().out).toContain('all 6 recorded decisions agree with re-evaluation');
  });

  it('exits 1 when a decision differs (or, with --strict, cannot be re-evaluated), and shows it', async () => {
    const differed = reevaluation({
      agreed: 3,
      counts: { differed: 1, unverifiable: 0, drifted: 0, warnings: 0 },
      differed: [
        {
          ...ref,
          recorded: { outcome: 'permitted', determiningRuleIds: ['writers'], reasons: ['writers write'], escalateTo: null },
          replayed: { outcome: 'forbidden', determiningRuleIds: ['no-x'], reasons: ['x is reserved'], escalateTo: 'board' },
          differences: [{ field: 'outcome', recorded: 'permitted', replayed: 'forbidden' }],
          explanation: 'recorded permitted by writers, but re-evaluation gives forbidden by no-x',
        },
      ],
    });
    const api = fakeApi([[`GET /audit/orgs/${ORG}/reevaluate`, 200, differed]]);
    expect(await runAudit(['reevaluate', ORG, '--from', '5', '--to', '900'], api.io)).toBe(1);
    expect(api.requests[0]?.url).toBe(`/audit/orgs/${ORG}/reevaluate?from=5&to=900&maxItems=50`);
    const { out } = api.output();
    expect(out).toContain('DIFFERED @42 2026-01-15T22:00:00.000Z org.update by subject subject-1 [writer] under org v2, refused-by-policy (decision d-1)');
    expect(out).toContain('  recorded:     permitted by writers ("writers write")');
    expect(out).toContain('  re-evaluated: forbidden by no-x ("x is reserved"); escalate to board');
    expect(out).toContain('1 decision came out differently');

    const unverifiable = reevaluation({
      agreed: 3,
      counts: { differed: 0, unverifiable: 1, drifted: 0, warnings: 0 },
      unverifiableByCode: { PLATFORM_POLICY_CHANGED: 1 },
      unverifiable: [
        {
          ...ref,
          code: 'PLATFORM_POLICY_CHANGED',
          reason: 'not reproducible: platform policy changed',
          recorded: { outcome: 'permitted', determiningRuleIds: [], reasons: [], escalateTo: null },
        },
      ],
    });
    const lenient = fakeApi([[`GET /audit/orgs/${ORG}/reevaluate`, 200, unverifiable]]);
    expect(await runAudit(['reevaluate', ORG], lenient.io)).toBe(0);
    expect(lenient.output().out).toContain('PLATFORM_POLICY_CHANGED: not reproducible: platform policy changed');
    const strict = fakeApi([[`GET /audit/orgs/${ORG}/reevaluate`, 200, unverifiable]]);
    expect(await runAudit(['reevaluate', ORG, '--strict'], strict.io)).toBe(1);
  });

  it('sends the draft of a what-if in the body, and pages with it', async () => {
    const page: WhatIfReport = {
      orgId: ORG,
      draft: { source: 'version', version: 3, hash: 'c'.repeat(64), rules: 5 },
      range: {
        from: null,
        to: null,
        since: '2026-01-01T00:00:00Z',
        until: null,
        head: '77',
        limit: 100_000,
        first: '1',
        last: '50',
        complete: false,
        next: '51',
      },
      platformPolicyHash: 'a'.repeat(64),
      total: 3,
      evaluated: 3,
      skipped: 0,
      skippedByReason: {},
      unchanged: 2,
      sameOutcomeOtherRules: 0,
      flipped: 1,
      nowDenied: 1,
      nowPermitted: 0,
      stillDenied: 0,
      byKind: { 'permitted->forbidden': 1 },
      byAction: { 'org.update': { evaluated: 3, flipped: 1, nowDenied: 1, nowPermitted: 0, stillDenied: 0 } },
      flips: [],
      omitted: 1,
      structure: noStructure,
      maxItems: 0,
      notes: ['a note'],
    };
    const api = fakeApi([
      [`POST /audit/orgs/${ORG}/what-if`, 200, page],
      [`POST /audit/orgs/${ORG}/what-if`, 200, { ...page, range: { ...page.range, first: '51', last: '77', complete: true, next: null } }],
    ]);
    expect(await runAudit(['what-if', ORG, '--version', '3', '--since', '2026-01-01T00:00:00Z', '--max-items', '0', '--fail-on-flip'], api.io)).toBe(1);
    expect(api.requests.map((request) => JSON.parse(request.body ?? '{}'))).toEqual([
      { version: 3, since: '2026-01-01T00:00:00Z', maxItems: 0 },
      { version: 3, from: '51', to: '77', since: '2026-01-01T00:00:00Z', maxItems: 0 },
    ]);
    expect(api.output().out).toContain('6 decisions evaluated');
    expect(api.output().out).toMatch(/permitted->forbidden\s+2/);
    expect(api.output().out).toContain('2 decisions would change');
  });

  it('sends structure changes of a what-if (--max-holders), alone or with a draft, and shows the flipped refusals', async () => {
    const page: WhatIfReport = {
      orgId: ORG,
      draft: null,
      range: { from: null, to: null, since: null, until: null, head: '9', limit: 100_000, first: '1', last: '9', complete: true, next: null },
      platformPolicyHash: 'a'.repeat(64),
      total: 5,
      evaluated: 0,
      skipped: 5,
      skippedByReason: { 'no draft policy: only the structure changes': 5 },
      unchanged: 0,
      sameOutcomeOtherRules: 0,
      flipped: 0,
      nowDenied: 0,
      nowPermitted: 0,
      stillDenied: 0,
      byKind: {},
      byAction: {},
      flips: [],
      omitted: 0,
      structure: {
        ...noStructure,
        changes: { roles: { reviewer: { maxHolders: 4 }, lead: { maxHolders: null } } },
        evaluated: 5,
        unchanged: 4,
        flipped: 1,
        nowApplied: 1,
        flips: [
          {
            ...ref,
            action: 'roster.role.grant',
            result: { status: 'refused-by-structure', code: 'ROLE_MAX_HOLDERS' },
            effect: 'now-applied',
            hypothetical: { status: 'applied', code: null },
            message: null,
          },
        ],
      },
      maxItems: 50,
      notes: [],
    };
    const api = fakeApi([[`POST /audit/orgs/${ORG}/what-if`, 200, page]]);
    expect(await runAudit(['what-if', ORG, '--max-holders', 'reviewer=4', '--max-holders', 'lead=none', '--fail-on-flip'], api.io)).toBe(1);
    expect(JSON.parse(api.requests[0]?.body ?? '{}')).toEqual({
      structure: { roles: { reviewer: { maxHolders: 4 }, lead: { maxHolders: null } } },
      maxItems: 50,
    });
    const { out } = api.output();
    expect(out).toContain('what-if no draft policy on');
    expect(out).toContain('4 unchanged, 1 would change: 1 now applied, 0 now refused');
    expect(out).toContain(
      'NOW-APPLIED @42 2026-01-15T22:00:00.000Z roster.role.grant by subject subject-1 [writer] under org v2, refused-by-structure ROLE_MAX_HOLDERS (decision d-1)',
    );
    expect(out).toContain('  hypothetical: applied');

    const withDraft = fakeApi([[`POST /audit/orgs/${ORG}/what-if`, 200, page]]);
    expect(await runAudit(['what-if', ORG, '--version', '2', '--max-holders', 'reviewer=4'], withDraft.io)).toBe(0);
    expect(JSON.parse(withDraft.requests[0]?.body ?? '{}')).toEqual({ version: 2, structure: { roles: { reviewer: { maxHolders: 4 } } }, maxItems: 50 });
  });

  it("lists the org's decisions with what became of each command, filtered by result", async () => {
    const decision = {
      decisionId: 'd-9',
      position: '77',
      streamId: `audit-${ORG}`,
      occurredAt: '2026-01-15T22:00:00.000Z',
      principal: { id: 'admin:ops', kind: 'admin', roles: ['platform-admin'] },
      action: 'roster.role.grant',
      outcome: 'permitted',
      result: 'refused-by-structure',
      refusal: { kind: 'conflict', code: 'ROLE_MAX_HOLDERS', message: 'role reviewer already has its maximum of 3 holders' },
      reasons: [],
      determiningRuleIds: ['platform:admins-administer'],
      escalateTo: null,
      policy: { source: 'default', version: null, hash: 'd'.repeat(64) },
    };
    const api = fakeApi([[`GET /orgs/${ORG}/decisions`, 200, { orgId: ORG, decisions: [decision] }]]);
    expect(await runAudit(['decisions', ORG, '--result', 'refused-by-structure', '--limit', '5'], api.io)).toBe(0);
    expect(api.requests[0]?.url).toBe(`/orgs/${ORG}/decisions?result=refused-by-structure&limit=5`);
    expect(api.output().out).toContain(
      '@77 2026-01-15T22:00:00.000Z roster.role.grant by admin admin:ops: permitted by platform:admins-administer, refused-by-structure ROLE_MAX_HOLDERS ("role reviewer already has its maximum of 3 holders")',
    );
  });

  it('refuses bad usage with exit 2 before any request', async () => {
    const cases: Array<[string[], string]> = [
      [['audit-me'], "agencygrid audit: unknown command 'audit-me'"],
      [['state'], "agencygrid audit state: missing required argument 'org'"],
      [['state', 'a', 'b'], 'too many arguments'],
      [['state', 'lab', '--position', 'x'], '--position must be a position'],
      [['state', 'lab', '--position', '1', '--at', '2026-01-01T00:00:00Z'], 'give --position or --at, not both'],
      [['state', 'lab', '--job-space', 'alpha'], '--job-space needs --subject'],
      [['state', 'lab', '--from', '1'], "unknown option '--from'"],
      [['reevaluate', 'lab', '--since', '2026-01-01'], '--since must be an ISO-8601 instant with a time zone'],
      [['reevaluate', 'lab', '--from', '9', '--to', '3'], '--to must not be before --from'],
      [['reevaluate', 'lab', '--fail-on-flip'], "unknown option '--fail-on-flip'"],
      [['what-if', 'lab', '--strict', '--version', '1'], "unknown option '--strict'"],
      [['what-if', 'lab', '--version', '0'], '--version must be a positive integer'],
      [['what-if', 'lab', '--version', '1', '-f', 'x.yaml'], 'give -f <rules> or --version, not both'],
      [['what-if', 'lab'], 'what-if needs a draft'],
      [['what-if', 'lab', '--max-holders', 'reviewer'], '--max-holders takes ROLE=N'],
      [['decisions', 'lab', '--result', 'maybe'], '--result is one of applied'],
      [['decisions', 'lab', '--limit', '0'], '--limit must be a number'],
      [['decisions', 'lab', '--from', '3'], "unknown option '--from'"],
      [['what-if', 'lab', '--max-holders', 'reviewer=0'], '--max-holders takes ROLE=N'],
      [['reevaluate', 'lab', '--max-holders', 'reviewer=2'], "unknown option '--max-holders'"],
      [['reevaluate', 'lab', '--bogus'], "agencygrid audit reevaluate: unknown option '--bogus'; see 'agencygrid audit reevaluate --help'"],
    ];
    for (const [argv, message] of cases) {
      const api = fakeApi([['GET /orgs/by-slug/lab', 200, { orgId: ORG, slug: 'lab' }]]);
      expect(await runAudit(argv, api.io), argv.join(' ')).toBe(2);
      expect(api.output().err, argv.join(' ')).toContain(message);
      expect(api.output().err.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(api.requests, argv.join(' ')).toEqual([]);
    }
  });

  it('reports a refusal of the API with its code and exit 3, and a rules file without rules with exit 2', async () => {
    const denied = fakeApi([
      [
        `GET /audit/orgs/${ORG}/state`,
        403,
        { code: 'POLICY_DENIED', message: 'no rule permits audit.read', details: { outcome: 'not-permitted', errors: [] } },
      ],
    ]);
    expect(await runAudit(['state', ORG], denied.io)).toBe(3);
    expect(denied.output().err).toContain(`GET /audit/orgs/${ORG}/state failed (403)`);
    expect(denied.output().err).toContain('POLICY_DENIED: no rule permits audit.read');

    const empty = fakeApi([]);
    const io = { ...empty.io, readText: async () => 'description: no rules here\n' };
    expect(await runAudit(['what-if', ORG, '-f', 'empty.yaml'], io)).toBe(2);
    expect(empty.output().err).toContain('empty.yaml holds no rules');
  });

  it('reads rules from a list, an object with rules, or an org spec', () => {
    const rule = { id: 'r', effect: 'permit', actions: ['org.update'], reason: 'x' };
    expect(rulesFromDocument([rule])).toEqual([rule]);
    expect(rulesFromDocument({ rules: [rule] })).toEqual([rule]);
    expect(rulesFromDocument({ apiVersion: 'agencygrid/v1', kind: 'Org', policy: { rules: [rule] } })).toEqual([rule]);
    expect(rulesFromDocument({ policy: {} })).toBeNull();
    expect(rulesFromDocument('rules')).toBeNull();
  });

  it('says when there is nothing in the range', () => {
    expect(formatReevaluation(reevaluation({ total: 0, agreed: 0, byAction: {} }, { first: null, last: null }), 'org lab')).toContain(
      'no decisions in the range',
    );
  });
});
