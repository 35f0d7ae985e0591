import type { AppError } from '../domain/shared/app-error.ts';
import { systemPrincipal, type Principal } from '../domain/shared/principal.ts';
import { contractAggregate } from './handlers/contract.ts';
import type { CommandPipeline } from './pipeline.ts';

/**
 * A command refused as outside its contract (CONTRACT_VIOLATION, whose details name the contract and the clause) is a
 * breach of that contract: recorded by the platform even though the command itself was refused. Its id is derived from
 * the refused command's, so a retry of that command records the breach once. `attempted` says what was tried, in words.
 */
export async function recordContractBreach(
  pipeline: CommandPipeline,
  refused: { orgId: string; attempted: string; error: AppError },
  envelope: { commandId: string; principal: Principal },
): Promise<void> {
  const { contractId, clause } = refused.error.details as { contractId?: string; clause?: string };
  if (typeof contractId !== 'string' || typeof clause !== 'string') return;
  await pipeline.execute(
    contractAggregate,
    {
      type: 'RecordBreach',
      data: {
        contractId,
        orgId: refused.orgId,
        breachId: `forbidden:${envelope.commandId}`.slice(0, 200),
        kind: 'forbidden_action',
        clause,
        details: `${envelope.principal.id} attempted ${refused.attempted}: ${refused.error.message}`.slice(0, 1000),
      },
    },
    { commandId: `breach:${envelope.commandId}`, principal: systemPrincipal, retryable: true, causationId: envelope.commandId },
  );
}
