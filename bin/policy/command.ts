import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { EXIT_USAGE, withStatus } from '../cli/exit-status.ts';
import { runCli } from '../cli/run.ts';
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

/** `agencygrid policy test|eval`: actions return their exit status; usage errors and help are the CLI runner's. */
export function policyCommand(io: PolicyCliIo = processIo()): CommandUnknownOpts {
  const policy = new Command('policy').description(
    "test policies against expected decisions, or explain one decision: offline, with the platform's own decision code",
  );

  policy
    .command('test')
    .description('run policy test cases (like opa test): one line per case, a summary, a diff for each failure')
    .argument('<policy>', POLICY_ARGUMENT)
    .argument('[tests...]', 'test files, or directories searched for *.policy-test.{yaml,yml,json} (default: <policy>.policy-test.yaml next to the policy)')
    .addOption(formatOption())
    .addHelpText('after', TEST_HELP)
    .action(withStatus((policyFile, tests, options) => policyTest(io, policyFile, tests, options.format)));

  policy
    .command('eval')
    .description('decide one request against a policy and explain the decision')
    .argument('<policy>', POLICY_ARGUMENT)
    // Not a commander requiredOption: commander would report it missing before a mistyped flag the user did type.
    .option('-r, --request <file>', "the request, YAML or JSON ('-' reads standard input); required")
    .addOption(formatOption())
    .addHelpText('after', EVAL_HELP)
    .action(
      withStatus((policyFile, options, command) => {
        if (options.request === undefined) return command.error("required option '-r, --request <file>' not specified", { exitCode: EXIT_USAGE });
        return policyEval(io, policyFile, options.request, options.format);
      }),
    );

  return policy;
}

/** Runs `agencygrid policy <argv>` in-process, as the CLI would, and returns its exit status. */
export function runPolicyCommand(argv: readonly string[], io: PolicyCliIo = processIo()): Promise<number> {
  return runCli(new Command('agencygrid').addCommand(policyCommand(io)), ['policy', ...argv], { output: io });
}
