import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedScript, eventsAfter, type ScriptRun } from '../support/doc-scripts.ts';
import { removeScriptRunTwice, scriptRunTwice } from '../support/script-run-twice.ts';

const ADMIN_KEY = 'e2e-work-walkthrough-admin-key-0123456789abcdef';

/** The command answers the walk-through printed (every line that is a JSON object with a `replayed` field). */
const replayedFlags = (run: ScriptRun) => [...run.stdout.matchAll(/"replayed":(true|false)/g)].map((match) => match[1]);

/**
 * docs/work.md's walk-through, as a reader pastes it, against a real server: the agent's side by hand, run twice. The
 * second run must succeed too, answer every command as replayed, and append nothing in anyone's name.
 */
describe("docs/work.md's work walk-through", () => {
  let dataDir: string;
  let state: string;
  let first: ScriptRun;
  let headAfterFirst: number;
  let second: ScriptRun;

  beforeAll(async () => {
    const script = documentedScript('docs/work.md', 'work-walkthrough');
    ({ dataDir, state, first, headAfterFirst, second } = await scriptRunTwice(script, { name: 'work-walkthrough', adminKey: ADMIN_KEY, stateVariable: 'W' }));
  }, 150_000);
  afterAll(() => removeScriptRunTwice([dataDir, state]));

  it('runs to the end: the job verified, the contract fulfilled with the refused tool on record, the inbox fed', () => {
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
    expect(replayedFlags(first)).toHaveLength(5);
    expect(replayedFlags(first).every((flag) => flag === 'false')).toBe(true);
    expect(first.stdout).toMatch(
      /"code":"CONTRACT_VIOLATION","message":"contract [0-9a-f-]{36} does not permit the tool web\.search".*"clause":"permittedTools"/,
    );
    expect(first.stdout).toMatch(/^verified$/m);
    expect(first.stdout).toMatch(/^fulfilled, breaches: forbidden_action of permittedTools$/m);
    expect(first.stdout).toMatch(/^event: accept$/m);
    expect(first.stdout).toMatch(/^event: dispatch$/m);
  });

  it("runs again: every command replayed, the same outcome, nothing appended in anyone's name", () => {
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0);
    expect(replayedFlags(second).length).toBe(replayedFlags(first).length);
    expect(replayedFlags(second).every((flag) => flag === 'true')).toBe(true);
    expect(second.stdout).not.toContain('CONTRACT_VIOLATION');
    expect(second.stdout).toMatch(/^fulfilled, breaches: forbidden_action of permittedTools$/m);
    expect(second.stdout).toMatch(/^nothing new$/m);
    expect(eventsAfter(dataDir, headAfterFirst).filter((event) => event.principalKind !== 'system')).toEqual([]);
  });
});
