import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedScript, eventsAfter, type ScriptRun } from '../support/doc-scripts.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { removeScriptRunTwice, scriptRunTwice } from '../support/script-run-twice.ts';

const ADMIN_KEY = 'e2e-readme-quickstart-admin-key-0123456789abcdef';

/** The answers `post` printed: `<status> <json>` lines. */
const commandAnswers = (run: ScriptRun) => run.stdout.split('\n').filter((line) => /^\d{3} \{/.test(line));
const decisionsLine = (run: ScriptRun) => /^(\d+) decisions: (\d+) agree, (\d+) differ$/m.exec(run.stdout);
const denial = (run: ScriptRun) => commandAnswers(run).find((line) => line.startsWith('403 '));

/**
 * The README's quickstart, as a reader pastes it: the sh block between its quickstart markers, run with bash against a
 * real server started with the admin key the reader exports, then run again, which must answer the same and change
 * nothing.
 */
describe("README.md's quickstart", () => {
  let server: ServerProcess;
  let dataDir: string;
  let state: string;
  let first: ScriptRun;
  let headAfterFirst: number;
  let second: ScriptRun;
  const script = documentedScript('README.md', 'quickstart');
  const answer = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(state, `${name}.json`), 'utf8')) as Record<string, unknown>;

  beforeAll(async () => {
    ({ server, dataDir, state, first, headAfterFirst, second } = await scriptRunTwice(script, {
      name: 'quickstart',
      adminKey: ADMIN_KEY,
      stateVariable: 'QS',
    }));
  }, 150_000);
  afterAll(() => removeScriptRunTwice([dataDir, state]));

  it('runs to the end: every command applied, the job verified by the human, the contract fulfilled', async () => {
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
    const answers = commandAnswers(first);
    // 17 commands and the refused self-grant; each applied one answered with the decision that permitted it.
    expect(answers).toHaveLength(18);
    for (const line of answers.filter((line) => !line.startsWith('403 '))) {
      expect(line).toMatch(/^20[01] .*"replayed":false,"decision":\{.*"outcome":"permitted".*\},"events":\["DecisionRecorded",/);
    }

    const jobId = String(answer('job').jobId);
    const orgId = String(answer('org').orgId);
    const humanId = String(answer('human').subjectId);
    const agentId = String(answer('agent').subjectId);
    const response = await fetch(`${server.baseUrl}/orgs/${orgId}/jobs/${jobId}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const job = (await response.json()) as { status: string; assigneeSubjectId: string; verification: { verifiedBy: { id: string } } };
    expect(job).toMatchObject({ status: 'verified', assigneeSubjectId: agentId, verification: { verifiedBy: { id: humanId } } });
    expect(first.stdout).toMatch(/"status":"VERIFIED".*"contract":\{"status":"FULFILLED"/);
  });

  it('explains: the refusal, the assessment of every member, each decision with its rule and reason, all re-evaluated alike', () => {
    expect(denial(first)).toMatch(/^403 \{"code":"POLICY_DENIED","message":"nobody grants a role to themselves",.*"determiningRuleIds":\["no-self-grants"\]/);
    expect(first.stdout).toMatch(/^Hana not eligible: verifies this job \(separation of duties\); lacks capability summarise/m);
    expect(first.stdout).toMatch(/^Scribe eligible, score 30$/m);
    expect(first.stdout).toMatch(/^Scribe\[worker\] +contract\.sign +permitted +workers-work: workers take jobs and do them under contract$/m);
    expect(first.stdout).toMatch(/^Hana\[reviewer\] +job\.verify +permitted +reviewers-verify: reviewers verify deliveries$/m);
    expect(first.stdout).toMatch(/^Scribe\[worker\] +roster\.role\.grant +forbidden +no-self-grants: nobody grants a role to themselves$/m);
    const [, total, agreed, differed] = decisionsLine(first) ?? [];
    expect(Number(total)).toBeGreaterThan(20);
    expect({ agreed, differed }).toEqual({ agreed: total, differed: '0' });
  });

  it("runs again and answers the same, every command replayed, nothing appended in anyone's name", () => {
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0);
    const answers = commandAnswers(second);
    // The keys were kept from the first run: not asked for again.
    expect(answers).toHaveLength(16);
    for (const line of answers.filter((line) => !line.startsWith('403 '))) expect(line).toMatch(/"replayed":true,/);
    expect(second.stdout).not.toContain('"replayed":false');
    expect(denial(second)).toBe(denial(first));
    expect(second.stdout).toMatch(/"status":"VERIFIED".*"contract":\{"status":"FULFILLED"/);
    expect(decisionsLine(second)?.[3]).toBe('0');
    // Only the platform's own processes may append meanwhile (a task's heartbeat timer firing, say).
    const appended = eventsAfter(dataDir, headAfterFirst);
    expect(appended.filter((event) => event.principalKind !== 'system')).toEqual([]);
  });
});
