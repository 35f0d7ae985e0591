import type { AppError } from '../../domain/shared/app-error.ts';
import { systemPrincipal } from '../../domain/shared/principal.ts';
import { apiKeyAggregate } from '../../commands/handlers/credential.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { CommandResult } from '../../commands/result.ts';

export interface AdminKeyToIssue {
  keyId: string;
  keyHash: string;
  label: string;
  /** Names this one execution: the same id again appends nothing (a retried start, a second instance). */
  commandId: string;
}

/**
 * Issues a platform admin key through the command pipeline as the system principal, like any other change: the
 * platform policy decides and the decision is recorded with the key. Only the key's hash is passed in.
 */
export function issueAdminKey(pipeline: CommandPipeline, key: AdminKeyToIssue): Promise<CommandResult | AppError> {
  return pipeline.execute(
    apiKeyAggregate,
    { type: 'IssueApiKey', data: { keyId: key.keyId, keyHash: key.keyHash, principal: { id: `admin:${key.keyId}`, kind: 'admin' }, label: key.label } },
    { commandId: key.commandId, principal: systemPrincipal },
  );
}
