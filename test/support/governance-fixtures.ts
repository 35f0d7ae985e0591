import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { RoleDefinition } from '../../domain/roster/fields.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { policyAggregate } from '../../commands/handlers/policy.ts';
import { rosterAggregate } from '../../commands/handlers/roster.ts';
import { subjectAggregate } from '../../commands/handlers/subject.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { CommandResult } from '../../commands/result.ts';
import type { PolicyRule } from '../../domain/policy/types.ts';
import { admin, commandId } from './pipeline.ts';

export const asSubject = (subjectId: string): Principal => ({ id: subjectId, kind: 'subject' });

export function ok(result: CommandResult | AppError): CommandResult {
  if (isAppError(result)) throw new Error(`${result.code}: ${result.message} ${JSON.stringify(result.details)}`);
  return result;
}

export function refused(result: CommandResult | AppError): AppError {
  if (!isAppError(result)) throw new Error(`expected a refusal, got ${JSON.stringify(result.events.map((event) => event.type))}`);
  return result;
}

/** Drives the governed pipeline in the words of the domain, as an admin unless told otherwise. */
export function governance(pipeline: CommandPipeline) {
  const run = <C>(aggregate: Parameters<CommandPipeline['execute']>[0], command: C, principal: Principal = admin) =>
    pipeline.execute(aggregate, command, { commandId: commandId(), principal });
  return {
    async registerOrg(slug: string, principal: Principal = admin): Promise<string> {
      const orgId = randomUUID();
      ok(await run(orgAggregate, { type: 'RegisterOrg', data: { orgId, name: slug, slug } }, principal));
      return orgId;
    },
    async registerSubject(name: string, capabilities: Array<{ name: string; level: number }> = []): Promise<string> {
      const subjectId = randomUUID();
      ok(await run(subjectAggregate, { type: 'RegisterSubject', data: { subjectId, kind: 'agent', displayName: name, capabilities } }));
      return subjectId;
    },
    defineRole: (orgId: string, role: Partial<RoleDefinition> & { name: string }, principal: Principal = admin) =>
      run(rosterAggregate, { type: 'DefineRole', data: { orgId, role } }, principal),
    grant: (orgId: string, subjectId: string, role: string, principal: Principal = admin) =>
      run(rosterAggregate, { type: 'GrantRole', data: { orgId, associationId: randomUUID(), subjectId, role } }, principal),
    updateOrg: (orgId: string, description: string, principal: Principal = admin) =>
      run(orgAggregate, { type: 'UpdateOrgMetadata', data: { orgId, description } }, principal),
    async publishPolicy(orgId: string, rules: PolicyRule[], principal: Principal = admin): Promise<number> {
      const drafted = ok(await run(policyAggregate, { type: 'DraftPolicy', data: { orgId, rules } }, principal));
      const version = Number(drafted.events.find((event) => event.type === 'PolicyDrafted')?.data.version);
      expect(version).toBeGreaterThan(0);
      ok(await run(policyAggregate, { type: 'PublishPolicy', data: { orgId, version } }, principal));
      return version;
    },
    run,
  };
}
