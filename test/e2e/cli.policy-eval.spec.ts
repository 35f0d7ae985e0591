import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-child.ts';

/** `agencygrid policy eval`: one request decided offline and explained, from a file or stdin. */
const ada = 'a1a92c72-6644-42bb-b446-e3c2f953150f'; // the research lab's editor

// Each test starts the CLI as a child process (node + tsx): seconds each on a busy 2-core machine.
describe('agencygrid policy eval', { timeout: 60_000 }, () => {
  it('explains a forbidden request (exit 1): the determining forbid, its escalation, every rule for the action', async () => {
    const request = JSON.stringify({
      principal: { id: ada, roles: ['editor'] },
      action: 'roster.role.grant',
      command: { data: { role: 'editor', subjectId: '7f4d259c-ecde-4e1b-adb2-c8802fddab04' } },
    });
    const { code, stdout, stderr } = await runCli(['policy', 'eval', 'examples/research-lab.yaml', '--request', '-'], { stdin: request });
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^forbidden: subject ${ada} \\(roles editor, member; groups staff\\) asks roster.role.grant at `));
    expect(lines[1]).toBe('  forbidden by editor-role-is-appointed: the editor is appointed by the platform administrators, never by a subject');
    expect(lines[2]).toBe('  escalate to platform-admin');
    expect(stdout).toMatch(/permit editors?-grants-writers-and-reviewers +does not apply: its when is false/);
    expect(stdout).toMatch(/forbid no-self-grants +does not apply: its when is false/);
  });

  it('prints a permitted decision as JSON (exit 0), with the request as evaluated', async () => {
    const request = 'principal: { id: x, roles: [reviewer] }\naction: audit.read\n';
    const { code, stdout } = await runCli(['policy', 'eval', 'examples/research-lab.yaml', '--request', '-', '--format', 'json'], { stdin: request });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { decision: { outcome: string; determiningRuleIds: string[] }; request: { principal: { roles: string[] } } };
    expect(report.decision).toMatchObject({ outcome: 'permitted', determiningRuleIds: ['members-read'] });
    expect(report.request.principal.roles).toEqual(['member', 'reviewer']);
  });
});
