import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { contractAggregate } from '../../commands/handlers/contract.ts';
import { contractCommandSchema, type ContractCommandType } from '../../domain/contract/commands.ts';
import { obligationIdSchema } from '../../domain/contract/fields.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import type { Platform } from '../platform.ts';
import { orgIdParam } from './orgs.ts';
import { commandErrors, commandReply } from '../openapi/responses.ts';
import { commandBody, type CommandRouteSchema, bodyWithPath, commandRoute } from './command-route.ts';

const tags = ['contracts'];
const contractParams = { ...orgIdParam, contractId: uuidSchema.describe('the contract id') };
const obligationParams = { ...contractParams, obligationId: obligationIdSchema.describe('the obligation id') };

/**
 * The contract commands a person (or admin) issues: path segment, command, action, summary, description. Drafting is
 * the assignment saga's (an award drafts the contract) and recording a breach the platform's: neither is exposed.
 */
const commands: ReadonlyArray<readonly [string, ContractCommandType, string, string, string]> = [
  [
    'review',
    'ReviewContract',
    'contract.review',
    'Review a contract',
    'For an org whose contracts are reviewed (`work.contractReview: required`): `approve: true` lets the parties sign (the platform then signs for the org and offers it to the assignee); `approve: false` rejects it, with the `note` as the reason (required), and the assignment goes on with another candidate. Only while `in_review`; never the assignee (403 ASSIGNEE_ACTS_FOR_ORG).',
  ],
  [
    'sign',
    'SignContract',
    'contract.sign',
    'Sign a contract',
    'For one party: `org` (anyone the policy allows but the assignee: 403 ASSIGNEE_ACTS_FOR_ORG) or `assignee` (only the assignee itself: 403 NOT_THE_ASSIGNEE). The second signature activates the contract. 409 ALREADY_SIGNED for a party that signed.',
  ],
  [
    'reject',
    'RejectContract',
    'contract.reject',
    'Reject a contract',
    'For one party (`org` or `assignee`, as for signing), with a reason; final. Before it is active only (in review or awaiting signatures).',
  ],
  [
    'terminate',
    'TerminateContract',
    'contract.terminate',
    'Terminate a contract',
    'Ends a contract before it is fulfilled, with a reason; final. Any status but a final one.',
  ],
];

function doc(type: ContractCommandType, action: string, summary: string, description: string, params: z.ZodRawShape, fromPath: string[]): CommandRouteSchema {
  return {
    summary,
    description: `${type} (action \`${action}\`). ${description} Lifecycle: domain/contract/README.md; a command its status does not accept is 409 ILLEGAL_TRANSITION; a contract of another org is 404 CONTRACT_NOT_FOUND.`,
    tags,
    params: z.object(params),
    body: commandBody(contractCommandSchema, type, { fromPath }),
    response: { '200': commandReply('Done', { contractId: z.uuid() }), ...commandErrors },
  };
}

const contractIdOf = (streamId: string) => streamId.slice('contract-'.length);

/** Contracts: what people (and admins) do to the contracts the assignment saga drafts. */
export async function contractRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  for (const [path, type, action, summary, description] of commands) {
    commandRoute(app, platform, {
      url: `/orgs/:orgId/contracts/:contractId/${path}`,
      aggregate: contractAggregate,
      schema: doc(type, action, summary, description, contractParams, ['orgId', 'contractId']),
      build: bodyWithPath(type, ['orgId', 'contractId']),
      reply: (result) => ({ contractId: contractIdOf(result.streamId) }),
    });
  }

  commandRoute(app, platform, {
    url: '/orgs/:orgId/contracts/:contractId/obligations/:obligationId/extend',
    aggregate: contractAggregate,
    schema: doc(
      'ExtendObligation',
      'contract.obligation.extend',
      "Extend an obligation's due date",
      'Moves the obligation later (`dueAt`, an ISO 8601 time with offset): 404 OBLIGATION_NOT_FOUND, 422 DUE_AT_IN_PAST / DUE_AT_NOT_LATER; the date it already has changes nothing. Active contracts only; never the assignee (403 ASSIGNEE_ACTS_FOR_ORG).',
      obligationParams,
      ['orgId', 'contractId', 'obligationId'],
    ),
    build: bodyWithPath('ExtendObligation', ['orgId', 'contractId', 'obligationId']),
    reply: (result) => ({ contractId: contractIdOf(result.streamId) }),
  });
}
