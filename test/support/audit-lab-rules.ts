/**
 * A small org policy whose decisions are worth auditing: writers edit the description, members read, and a
 * description starting with "x" is forbidden, so the audit has permits and a forbid to replay.
 */
export const auditLabRules = [
  { id: 'writers-describe', effect: 'permit', actions: ['org.update'], roles: ['writer'], reason: 'writers edit the description' },
  { id: 'members-read', effect: 'permit', actions: ['*.read'], when: 'size(principal.roles) > 0', reason: 'members read the org' },
  {
    id: 'no-x',
    effect: 'forbid',
    actions: ['org.update'],
    when: 'has(command.data.description) && command.data.description.startsWith("x")',
    reason: 'x is reserved',
  },
];
