import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { apiConnection, apiEnvironment } from '../cli/api-connection.ts';
import { EXIT_USAGE, withStatus } from '../cli/exit-status.ts';
import { environmentHelp, exitStatusHelp } from '../cli/help-text.ts';

const about = `
Reads the org (by its slug), its roster, its policies and the spec's subjects from the API, prints the plan of
commands that brings the org to the spec (apiVersion: agencygrid/v1, kind: Org), then runs them in order,
stopping at the first error.

what it does:
  - registers the org (its id is a UUIDv5 of the slug) or updates the metadata fields that differ;
  - registers the spec's subjects (by their fixed ids), updates changed profile fields, declares capabilities;
  - defines job spaces, roles (inherited roles first), groups (parents first) and role conflicts that differ;
  - grants the associations that are not active (an association whose expiresAt has passed is not granted);
  - last, drafts and publishes the policy when its rules differ from the published ones.

Additive: apply never removes, revokes or withdraws anything the spec does not mention. Roles, groups, job
spaces, role conflicts, associations, subjects, capabilities and policy versions that the server has and the
spec leaves out stay as they are; remove them with the API's own routes (e.g. POST .../roles/<name>/remove,
.../associations/<id>/revoke). What the spec does declare is made to match it: a role's, group's or job
space's definition, the org's name (and description, tags, metadata map when given), a subject's profile and
the policy's rules are replaced by the spec's. Optional fields the spec leaves out are not compared.

Idempotent: an unchanged spec gives an empty plan ("no changes"), so applying twice changes nothing the second
time. Every command carries a deterministic Idempotency-Key, apply.<slug>.<hash of the step and of the revision
of the stream it was planned against>, so a retried request or a re-run after a crash never applies anything
twice; a re-run plans only what is still missing.`;

/** `agencygrid apply -f <spec> [--dry-run]`. */
export function applyCommand(): CommandUnknownOpts {
  return new Command('apply')
    .description('make an org match a declarative spec (YAML or JSON) through the API')
    .option('-f, --file <path>', "the spec to apply, required ('-' reads it from standard input)")
    .option('--dry-run', 'print the plan and stop; nothing is changed')
    .addHelpText(
      'after',
      `${about}\n${environmentHelp(apiEnvironment('the API key to act with (required; a platform admin key)'))}\n${exitStatusHelp(
        '0 applied, nothing to do, or dry run; 1 the API refused a command or could not be reached\n(its {code, message, details} is printed); 2 bad usage or an invalid spec (problems listed with paths and lines)',
      )}`,
    )
    .action(
      withStatus(async (options, command) => {
        // Checked here rather than by a required option: commander reports a missing required option before an
        // unknown one, and `apply --flie x` should name the typo.
        if (options.file === undefined || options.file === '')
          return command.error("required option '-f, --file <path>' not specified", { exitCode: EXIT_USAGE });
        const connection = apiConnection();
        if ('problem' in connection) {
          process.stderr.write(`agencygrid apply: ${connection.problem}\n`);
          return EXIT_USAGE;
        }
        const { runApply } = await import('./execute.ts');
        return runApply({
          file: options.file,
          dryRun: options.dryRun === true,
          ...connection,
          out: (text) => process.stdout.write(text),
          err: (text) => process.stderr.write(text),
        });
      }),
    );
}
