import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { CommandEnvelope } from '../../commands/pipeline.ts';
import type { CommandResult } from '../../commands/result.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { keyIdSchema } from '../../domain/credential/commands.ts';
import { apiKeyAggregate } from '../../commands/handlers/credential.ts';
import { deterministicId } from '../../commands/command-identity.ts';
import { generateApiKey, hashApiKey } from '../auth/api-key.ts';
import { commandEnvelopeFrom } from '../command-envelope.ts';
import { answerDetailOf } from '../answer-detail.ts';
import { sendCommand, sendError } from '../command-reply.ts';
import { commandErrors, commandReply } from '../openapi/responses.ts';
import type { Platform } from '../platform.ts';
import { commandSchema } from './command-route.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

export const issueKeyBody = z.strictObject({ label: z.string().max(200).default('') });
export const revokeKeyBody = z.strictObject({ reason: z.string().trim().min(1).max(1000) });

export const issuedKeyReply = {
  keyId: z.string().describe('the key id (public; names the key in revocations)'),
  key: z.string().describe('the secret API key: shown once, only its SHA-256 is stored'),
};

/**
 * Issues an API key for `principal` through the credential aggregate. The secret is generated here and shown once.
 * With an Idempotency-Key the key id derives from the command, so concurrent retries all target one key stream and
 * only one of them can issue it; a retry answers 409 KEY_ALREADY_ISSUED (the secret cannot be shown twice).
 */
export async function issueKey(
  platform: Platform,
  request: FastifyRequest,
  reply: FastifyReply,
  principalFor: (keyId: string) => Principal,
  body: z.output<typeof issueKeyBody>,
  extra: Record<string, unknown> = {},
): Promise<FastifyReply> {
  const detail = answerDetailOf(request);
  if (isAppError(detail)) return sendError(reply, detail);
  const envelope = commandEnvelopeFrom(request);
  if (isAppError(envelope)) return sendError(reply, envelope);
  const issued = await issueKeyCommand(platform, envelope, body.label, principalFor);
  if (isAppError(issued)) return sendCommand(reply, issued, { detail });
  return sendCommand(reply, issued.result, { detail, status: 201, extra: { ...extra, keyId: issued.keyId, key: issued.key } });
}

/** The issuing itself, shared by issue and rotate: the new key, or why not. */
export async function issueKeyCommand(
  platform: Platform,
  envelope: CommandEnvelope,
  label: string,
  principalFor: (keyId: string) => Principal,
): Promise<{ keyId: string; key: string; result: CommandResult } | AppError> {
  const generated = generateApiKey();
  const keyId = envelope.retryable ? deterministicId(envelope.commandId, 'apikey').replaceAll('-', '').slice(0, 16) : generated.keyId;
  const key = envelope.retryable ? `agk_${keyId}.${generated.key.split('.')[1]}` : generated.key;
  const result = await platform.pipeline.execute(
    apiKeyAggregate,
    { type: 'IssueApiKey', data: { keyId, keyHash: hashApiKey(key), principal: principalFor(keyId), label } },
    envelope,
  );
  if ((isAppError(result) && result.code === 'IDEMPOTENCY_KEY_REUSED') || (!isAppError(result) && result.replayed)) {
    return appError('conflict', 'KEY_ALREADY_ISSUED', 'this Idempotency-Key already issued a key; its secret is only shown once', {});
  }
  if (isAppError(result)) return result;
  // The key works as soon as this answer arrives: the index has caught up with the issuing event.
  if (result.position !== null) await platform.apiKeys.waitFor(result.position);
  return { keyId, key, result };
}

/** Revokes a key; with `subjectId`, only if it is that subject's key. */
export async function revokeKey(
  platform: Platform,
  request: FastifyRequest,
  reply: FastifyReply,
  revoked: { keyId: string; reason: string; subjectId?: string },
): Promise<FastifyReply> {
  const detail = answerDetailOf(request);
  if (isAppError(detail)) return sendError(reply, detail);
  const envelope = commandEnvelopeFrom(request);
  if (isAppError(envelope)) return sendError(reply, envelope);
  const data = { keyId: revoked.keyId, reason: revoked.reason, ...(revoked.subjectId === undefined ? {} : { subjectId: revoked.subjectId }) };
  const result = await platform.pipeline.execute(apiKeyAggregate, { type: 'RevokeApiKey', data }, envelope);
  if (!isAppError(result) && result.position !== null) await platform.apiKeys.waitFor(result.position);
  return sendCommand(reply, result, { detail });
}

export const keyIdParam = { keyId: keyIdSchema.describe('the key id returned when the key was issued') };

/** Platform admin keys. Subjects' keys are issued under /subjects/:subjectId/api-keys. */
export async function apiKeyRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const routes = app.withTypeProvider<ZodRequestTypes>();
  routes.post(
    '/admin/api-keys',
    {
      schema: commandSchema({
        summary: 'Issue a platform admin API key',
        description: 'The key is in the answer, once. Action `platform.apikey.issue`.',
        tags: ['admin'],
        body: issueKeyBody,
        response: { '201': commandReply('The key was issued', issuedKeyReply), ...commandErrors },
      }),
    },
    async (request, reply) => issueKey(platform, request, reply, (keyId) => ({ id: `admin:${keyId}`, kind: 'admin' }), request.body),
  );

  routes.post(
    '/admin/api-keys/:keyId/revoke',
    {
      schema: commandSchema({
        summary: 'Revoke an API key',
        description: 'Any key, platform or subject. Action `platform.apikey.revoke`.',
        tags: ['admin'],
        params: z.object(keyIdParam),
        body: revokeKeyBody,
        response: { '200': commandReply('The key is revoked (or already was)'), ...commandErrors },
      }),
    },
    async (request, reply) => revokeKey(platform, request, reply, { keyId: request.params.keyId, reason: request.body.reason }),
  );
}
