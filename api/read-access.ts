import { appError, type AppError } from '../domain/shared/app-error.ts';
import type { Principal } from '../domain/shared/principal.ts';
import { decideRead, type ReadRequest } from '../commands/governance/read-check.ts';
import type { BuiltPolicyRequest } from '../commands/governance/policy-request.ts';
import type { StreamReader } from '../commands/stream-loader.ts';

/**
 * Every read is decided by the policy engine, deny by default, exactly like a command (see
 * commands/governance/read-check.ts): `org.read`, `roster.read`, `policy.read`, `audit.read`, `subject.read`.
 * A denial is 403 POLICY_DENIED with the same explanation a denied command gets. Read decisions are not recorded
 * as events (they would flood the log).
 */
export async function authorizeRead(
  reader: StreamReader,
  principal: Principal | null,
  read: Omit<ReadRequest, 'principal'>,
): Promise<BuiltPolicyRequest | AppError> {
  if (!principal) return appError('unauthenticated', 'UNAUTHENTICATED', 'authentication required');
  const decided = await decideRead(reader, { ...read, principal: { id: principal.id, kind: principal.kind } });
  return decided.allowed ? decided.built : decided.error;
}
