import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appError, isAppError } from '../../domain/shared/app-error.ts';
import { keyIdSchema } from '../../domain/credential/commands.ts';
import { apiKeyAggregate } from '../../commands/handlers/credential.ts';
import { generateApiKey, hashApiKey } from '../auth/api-key.ts';
import { deterministicId } from '../../commands/metadata.ts';
import { commandEnvelopeFrom } from '../command-envelope.ts';
import { commandResultBody, sendCommand, sendError } from '../command-reply.ts';
import type { Platform } from '../platform.ts';

const issueBody = z.strictObject({ label: z.string().max(200).default('') });
const revokeBody = z.strictObject({ reason: z.string().trim().min(1).max(1000) });

/** Platform admin keys. Subject credentials arrive with subjects (governance issue). */
export async function apiKeyRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  app.post('/admin/api-keys', async (request, reply) => {
    const envelope = commandEnvelopeFrom(request);
    if (isAppError(envelope)) return sendError(reply, envelope);
    const body = issueBody.safeParse(request.body ?? {});
    if (!body.success) return sendError(reply, invalid(body.error));
    // The secret is generated here and shown once. With an Idempotency-Key the key id derives from the command,
    // so concurrent retries all target one key stream and only one of them can issue it.
    const generated = generateApiKey();
    const keyId = envelope.retryable ? deterministicId(envelope.commandId, 'apikey').replaceAll('-', '').slice(0, 16) : generated.keyId;
    const key = envelope.retryable ? `agk_${keyId}.${generated.key.split('.')[1]}` : generated.key;
    const result = await platform.pipeline.execute(
      apiKeyAggregate,
      { type: 'IssueApiKey', data: { keyId, keyHash: hashApiKey(key), principal: { id: `admin:${keyId}`, kind: 'admin' }, label: body.data.label } },
      envelope,
    );
    if ((isAppError(result) && result.code === 'IDEMPOTENCY_KEY_REUSED') || (!isAppError(result) && result.replayed)) {
      return sendError(reply, appError('conflict', 'KEY_ALREADY_ISSUED', 'this Idempotency-Key already issued a key; its secret is only shown once', {}));
    }
    if (isAppError(result)) return sendError(reply, result);
    if (result.position !== null) await platform.apiKeys.waitFor(result.position);
    return reply.code(201).send({ keyId, key, ...commandResultBody(result) });
  });

  app.post('/admin/api-keys/:keyId/revoke', async (request, reply) => {
    const envelope = commandEnvelopeFrom(request);
    if (isAppError(envelope)) return sendError(reply, envelope);
    const params = z.object({ keyId: keyIdSchema }).safeParse(request.params);
    const body = revokeBody.safeParse(request.body ?? {});
    if (!params.success) return sendError(reply, invalid(params.error));
    if (!body.success) return sendError(reply, invalid(body.error));
    const result = await platform.pipeline.execute(apiKeyAggregate, { type: 'RevokeApiKey', data: { keyId: params.data.keyId, reason: body.data.reason } }, envelope);
    if (!isAppError(result) && result.position !== null) await platform.apiKeys.waitFor(result.position);
    return sendCommand(reply, result);
  });
}

function invalid(error: z.ZodError) {
  return appError('invalid', 'VALIDATION_FAILED', 'the request is invalid', {
    issues: error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
  });
}
