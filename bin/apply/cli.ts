import { parseArgs } from 'node:util';
import { runApply } from './execute.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export const applyUsage = `usage: agencygrid apply -f <spec.yaml|spec.json> [--dry-run]

Makes an org match a declarative spec (apiVersion: agencygrid/v1, kind: Org; YAML or JSON): reads the org
(by its slug), its roster, its policies and the spec's subjects from the API, prints the plan of commands that
brings the org to the spec, then runs them in order, stopping at the first error.

options:
  -f, --file <path>   the spec to apply ('-' reads it from standard input)
      --dry-run       print the plan and stop; nothing is changed
  -h, --help          show this text

environment:
  AGENCYGRID_API_KEY  the API key to act with (required)
  AGENCYGRID_URL      the API's base URL (default ${DEFAULT_URL})

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
twice; a re-run plans only what is still missing.

exit status: 0 applied, nothing to do, or dry run; 1 the API refused a command or could not be reached
(its {code, message, details} is printed); 2 bad usage or an invalid spec (problems listed with paths and lines).
`;

/** `agencygrid apply ...`: returns the exit status. */
export async function applyCommand(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        file: { type: 'string', short: 'f' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`agencygrid apply: ${error instanceof Error ? error.message : String(error)}\n${applyUsage}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(applyUsage);
    return 0;
  }
  if (values.file === undefined || values.file === '') {
    process.stderr.write(`agencygrid apply: -f <spec> is required\n${applyUsage}`);
    return 2;
  }
  const apiKey = process.env.AGENCYGRID_API_KEY?.trim() ?? '';
  if (apiKey === '') {
    process.stderr.write("agencygrid apply: AGENCYGRID_API_KEY is not set; export the API key to act with (npm start prints the bootstrap admin key once)\n");
    return 2;
  }
  const baseUrl = process.env.AGENCYGRID_URL?.trim() || DEFAULT_URL;
  if (!/^https?:\/\//.test(baseUrl) || !URL.canParse(baseUrl)) {
    process.stderr.write(`agencygrid apply: AGENCYGRID_URL must be an http(s) URL, got '${baseUrl}'\n`);
    return 2;
  }
  return runApply({
    file: values.file,
    dryRun: values['dry-run'],
    baseUrl,
    apiKey,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
