import { appError, type AppError } from '../../domain/shared/app-error.ts';
import type { StructureRefusal } from '../pre-append-check.ts';

/** Most characters of a refusal's code and message kept in its record (the caller's answer is not cut). */
const MAX_RECORDED_CODE = 200;
const MAX_RECORDED_MESSAGE = 2000;

/** A refusal by the org's structure, as recorded; null for input refused as malformed or dangling. */
export function structureRefusal(error: AppError): StructureRefusal | null {
  const { kind } = error;
  if (kind !== 'conflict' && kind !== 'forbidden' && kind !== 'unprocessable') return null;
  return { kind, code: error.code.slice(0, MAX_RECORDED_CODE), message: error.message.slice(0, MAX_RECORDED_MESSAGE) };
}

export function keptChanging(streamId: string, attempts: number): AppError {
  return appError('conflict', 'CONCURRENCY_CONFLICT', `stream ${streamId} kept changing; the command was not applied`, { streamId, attempts });
}

export function staleRevision(streamId: string, expected: bigint, actual: bigint): AppError {
  return appError(
    'precondition_failed',
    'REVISION_MISMATCH',
    `stream ${streamId} is at revision ${actual}, not ${expected}: it changed since it was read; read it again and, if the change still applies, send If-Match: "${actual}"`,
    {
      streamId,
      expectedRevision: expected.toString(),
      actualRevision: actual.toString(),
    },
  );
}

export function idempotencyKeyReused(commandId: string): AppError {
  return appError(
    'unprocessable',
    'IDEMPOTENCY_KEY_REUSED',
    'this command id (Idempotency-Key) was already used for a different command: send a new key for a new command; a key only repeats the command it was first sent with',
    { commandId },
  );
}

export function streamFenced(streamId: string): AppError {
  return appError('conflict', 'STREAM_FENCED', `stream ${streamId} was closed after a crashed command; nothing more can happen in it`, { streamId });
}
