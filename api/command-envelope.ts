import { createHash, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { appError, type AppError } from '../domain/shared/app-error.ts';
import type { CommandEnvelope } from '../commands/pipeline.ts';
import { commandIdSchema } from '../commands/command-identity.ts';

/**
 * Builds the command envelope from the request: the principal from authentication, the command id from the
 * Idempotency-Key header (or a new one), an optional X-Correlation-Id, and If-Match as the expected revision.
 */
export function commandEnvelopeFrom(request: FastifyRequest): CommandEnvelope | AppError {
  const principal = request.principal;
  if (!principal) return appError('unauthenticated', 'UNAUTHENTICATED', 'authentication required');

  const idempotencyKey = header(request, 'idempotency-key');
  const commandId = idempotencyKey === undefined ? randomUUID() : commandIdSchema.safeParse(idempotencyKey);
  if (typeof commandId !== 'string' && !commandId.success) {
    return appError('invalid', 'INVALID_HEADER', 'Idempotency-Key must be 8 to 200 characters of A-Z a-z 0-9 . _ : -', { header: 'Idempotency-Key' });
  }

  const correlation = header(request, 'x-correlation-id');
  const correlationId = correlation === undefined ? undefined : commandIdSchema.safeParse(correlation);
  if (correlationId && !correlationId.success) {
    return appError('invalid', 'INVALID_HEADER', 'X-Correlation-Id must be 8 to 200 characters of A-Z a-z 0-9 . _ : -', { header: 'X-Correlation-Id' });
  }

  const ifMatch = header(request, 'if-match');
  let expectedRevision: bigint | undefined;
  if (ifMatch !== undefined) {
    const revision = /^(?:W\/)?"?(-1|\d{1,18})"?$/.exec(ifMatch)?.[1];
    if (revision === undefined) {
      return appError('invalid', 'INVALID_HEADER', 'If-Match must be a stream revision such as "3" (the ETag of the resource)', { header: 'If-Match' });
    }
    expectedRevision = BigInt(revision);
  }

  return {
    commandId: typeof commandId === 'string' ? commandId : scopedCommandId(principal.id, commandId.data),
    // Only a client that chose the id can retry with it, so only then is the completion worth a durable record.
    retryable: idempotencyKey !== undefined,
    principal: { id: principal.id, kind: principal.kind },
    ...(correlationId ? { correlationId: correlationId.data } : {}),
    ...(expectedRevision === undefined ? {} : { expectedRevision }),
  };
}

/**
 * Idempotency keys are the client's, so they are scoped to the principal: two principals choosing the same key never
 * share (or learn of) each other's commands.
 */
export function scopedCommandId(principalId: string, idempotencyKey: string): string {
  return `${createHash('sha256').update(principalId).digest('hex').slice(0, 16)}.${idempotencyKey}`;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
