import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { policyEval } from './eval-action.ts';
import { processIo, type PolicyCliIo } from './io.ts';
import { policyTest } from './test-action.ts';

const POLICY_ARGUMENT = 'the policy: a list of rules, {description, rules}, or an org spec with a policy section (YAML or JSON)';

const TEST_HELP = `
Each test file (YAML or JSON) holds cases: a name, a request and the expected decision.

  defaults:                         # optional, for every case
    now: 2026-03-02T10:00:00Z
  cases:
    - name: the lead staffs the desk
      request:
        principal: { id: dana, roles: [lead] }
        action: roster.role.grant
        command: { type: GrantRole, data: { role: tier1, subjectId: tim } }
      expect: { outcome: permitted, rules: [lead-staffs-the-desk] }
    - name: a tier-1 agent does not
      request: { principal: { id: tim, roles: [tier1] }, action: roster.role.grant }
      expect: not-permitted         # or forbidden, permitted, denied (forbidden or not permitted)

Cases are decided offline (no server, no data) by the platform's own decision code, with the platform policy
together with the file's rules, as a published policy is. With an org spec, a principal's roles are the roles it
holds: inherited roles and groups are added from the spec. See docs/policy-testing.md.

Exit status: 0 every case passed; 1 a case failed; 2 bad usage, or a file missing or invalid.`;

const EVAL_HELP = `
The request file holds one request, as a test case's 'request':

  principal: { id: dana, roles: [lead] }
  action: roster.role.grant
  command: { type: GrantRole, data: { role: tier1, subjectId: tim } }

Prints the outcome, the rules that determined it, and what became of every rule written for the action.

Exit status: 0 permitted; 1 forbidden or not permitted; 2 bad usage, or a file missing or invalid.`;

function formatOption() {
  return new Option('--format <format>', 'text for people, json for machines').choices(['text', 'json'] as const).default('text' as const);
}

/**
 * `agencygrid policy test|eval`. Usage errors and --help end through the exit override (status 2 and 0), which
 * throws a CommanderError rather than exiting the process: whoever parses catches it (see runPolicyCommand).
 */
export function policyCommand(io: PolicyCliIo = processIo()): Command {
  const policy = new Command('policy')
    .description("test policies against expected decisions, or explain one decision: offline, with the platform's own decision code")
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .exitOverride((error) => {
      io.setExitCode(error.exitCode === 0 ? 0 : 2);
      throw error;
    })
    .showHelpAfterError('(add --help for usage)');

  policy
    .command('test')
    .description('run policy test cases (like opa test): one line per case, a summary, a diff for each failure')
    .argument('<policy>', POLICY_ARGUMENT)
    .argument('[tests...]', 'test files, or directories searched for *.policy-test.{yaml,yml,json} (default: <policy>.policy-test.yaml next to the policy)')
    .addOption(formatOption())
    .addHelpText('after', TEST_HELP)
    .action(async (policyFile, tests, options) => {
      io.setExitCode(await policyTest(io, policyFile, tests, options.format));
    });

  policy
    .command('eval')
    .description('decide one request against a policy and explain the decision')
    .argument('<policy>', POLICY_ARGUMENT)
    .requiredOption('-r, --request <file>', "the request, YAML or JSON ('-' reads standard input)")
    .addOption(formatOption())
    .addHelpText('after', EVAL_HELP)
    .action(async (policyFile, options) => {
      io.setExitCode(await policyEval(io, policyFile, options.request, options.format));
    });

  return policy;
}

/** Runs `agencygrid policy <argv>` and returns its exit status (for the CLI's dispatch). */
export async function runPolicyCommand(argv: readonly string[], io: PolicyCliIo = processIo()): Promise<number> {
  let status = 0;
  const recording: PolicyCliIo = {
    ...io,
    setExitCode: (code) => {
      status = code;
      io.setExitCode(code);
    },
  };
  // Under a parent named agencygrid, so usage lines read `agencygrid policy test ...`.
  const program = new Command('agencygrid').exitOverride().addCommand(policyCommand(recording));
  try {
    await program.parseAsync(['policy', ...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
  }
  return status;
}
