import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { apiConnection, apiEnvironment } from '../cli/api-connection.ts';
import { EXIT_USAGE, withStatus } from '../cli/exit-status.ts';
import { environmentHelp, exitStatusHelp } from '../cli/help-text.ts';
import { auditUsageProblem, auditValuesSchema, type AuditIo, type AuditSubcommand } from './options.ts';

const exitStatus = exitStatusHelp(
  '0 done (reevaluate: every re-evaluable decision agrees); 1 reevaluate: a decision differs\n(what-if with --fail-on-flip: something flips); 2 bad usage or an invalid rules file; 3 the API refused or could\nnot be reached',
);
const footer = `${environmentHelp(apiEnvironment('the API key to read with (required; action audit.read on the org)'))}\n${exitStatus}`;

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
const jsonOption = () => new Option('--json', 'print the report as JSON (pages merged)');

/** The range a report of decisions reads (positions, instants) and how many items of each kind it lists. */
function withRange<C extends CommandUnknownOpts>(command: C): C {
  command
    .addOption(new Option('--from <position>', 'the first position of the range (inclusive)'))
    .addOption(new Option('--to <position>', 'the last position of the range (inclusive)'))
    .addOption(new Option('--since <instant>', "the first instant of the range (a decision's recorded time, inclusive)"))
    .addOption(new Option('--until <instant>', 'the last instant of the range (inclusive)'))
    .addOption(new Option('--max-items <n>', 'list at most n items of each kind (default 50; all are counted)'));
  return command;
}

/**
 * `agencygrid audit ...`: audit replay through the API. `io` replaces the environment and the terminal (tests).
 */
export function auditCommand(io: Partial<AuditIo> = {}): CommandUnknownOpts {
  const run = (sub: AuditSubcommand) =>
    withStatus(async (org: string, options: Record<string, unknown>, command: CommandUnknownOpts) => {
      const values = auditValuesSchema.parse(options);
      const problem = auditUsageProblem(sub, values);
      if (problem !== null) command.error(problem, { exitCode: EXIT_USAGE, code: 'agencygrid.usage' });
      const err = io.err ?? ((text: string) => void process.stderr.write(text));
      const connection = io.baseUrl !== undefined && io.apiKey !== undefined ? { baseUrl: io.baseUrl, apiKey: io.apiKey } : apiConnection();
      if ('problem' in connection) {
        err(`agencygrid audit: ${connection.problem}\n`);
        return EXIT_USAGE;
      }
      const { runAudit } = await import('./run.ts');
      return runAudit(sub, org, values, { out: (text) => void process.stdout.write(text), ...io, err, ...connection });
    });

  const audit = new Command('audit')
    .description('audit replay: an org as of a position or time, its decisions, every decision re-evaluated, a draft policy against history')
    .addHelpText(
      'after',
      `\n<org> is the org's slug or id. Long ranges are fetched in pages (the server looks at most 100,000 decisions\nper call) and merged.\n${footer}`,
    );

  audit
    .command('state')
    .description(
      'the org, its roster and its policy sets as of a global position (every event at or before it) or an instant (cut at the last event of the org whose time is at or before it), with the effective roles of its members at that instant; neither: now',
    )
    .argument('<org>', "the org's slug or id")
    .option('--position <n>', 'the cut: every event at or before this global position')
    .option('--at <instant>', 'the cut: an ISO-8601 instant with a time zone')
    .option('--subject <id>', "also that subject's effective roles (org-wide, or in --job-space)")
    .option('--job-space <name>', "with --subject: the roles in that job space ('*': every one)")
    .addOption(jsonOption())
    .addHelpText('after', footer)
    .action(run('state'));

  audit
    .command('decisions')
    .description(
      "the org's recorded decisions, newest first: the policy's outcome and what became of the command (applied, refused by policy, refused by the org's structure with its code and message)",
    )
    .argument('<org>', "the org's slug or id")
    .option('--result <status>', 'only those that ended so: applied, refused-by-policy, refused-by-structure, unrecorded')
    .option('--limit <n>', 'at most n (1-500, default 50)')
    .addOption(jsonOption())
    .addHelpText('after', footer)
    .action(run('decisions'));

  withRange(
    audit
      .command('reevaluate')
      .description(
        'every recorded decision of the org in the range evaluated again with its recorded request and policy version; lists every decision that comes out differently (expected: none), and those that cannot be re-evaluated faithfully',
      )
      .argument('<org>', "the org's slug or id"),
  )
    .option('--strict', 'exit 1 also when a decision cannot be re-evaluated')
    .addOption(jsonOption())
    .addHelpText('after', footer)
    .action(run('reevaluate'));

  withRange(
    audit
      .command('what-if')
      .description(
        "a draft policy in place of the org rules of every recorded decision of the range: what would flip, side by side, with counts; and/or a changed structure (--max-holders): every grant of the org's roster decided again on the roster it met",
      )
      .argument('<org>', "the org's slug or id")
      .option('-f, --file <rules>', "the draft's rules: a list, an object with 'rules', or an org spec with 'policy.rules'; YAML or JSON; '-' reads stdin")
      .option('--version <n>', "the draft: a version of the org's policy stream")
      .option('--max-holders <role=n>', "the role's maxHolders is n ('none': no limit); repeat for more roles", collect),
  )
    .option('--fail-on-flip', 'exit 1 when any decision would flip')
    .addOption(jsonOption())
    .addHelpText('after', footer)
    .action(run('what-if'));

  return audit;
}
