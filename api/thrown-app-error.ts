import type { AppError, ErrorKind } from '../domain/shared/app-error.ts';

/**
 * An AppError where Fastify takes an Error (a content-type parser's refusal, a validator's finding): the error
 * handler answers it like any other AppError.
 */
export class ThrownAppError extends Error implements AppError {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}
