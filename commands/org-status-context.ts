import type { DecisionContext } from '../domain/shared/decider.ts';
import { orgDecider, orgStream } from '../domain/org/decider.ts';
import type { OrgStatus } from '../domain/org/state.ts';
import type { StreamReader } from './stream-loader.ts';

/**
 * `base` with the status of org `orgId` (null when there is no such org): for the aggregates whose decisions refuse
 * what an org that is missing, suspended or archived may not do, and read nothing else of the org.
 */
export async function withOrgStatus<Base extends DecisionContext>(
  base: Base,
  reader: StreamReader,
  orgId: string,
): Promise<Base & { orgStatus: OrgStatus | null }> {
  const org = await reader.load(orgDecider, orgStream(orgId));
  return { ...base, orgStatus: org.state?.status ?? null };
}
