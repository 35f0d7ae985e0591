import { appError, type AppError } from '../../domain/shared/app-error.ts';
import { fieldIssue, issuesSummary } from '../../domain/shared/field-issues.ts';
import type { z } from 'zod';
import { refuseInput, type InputLimits } from '../input-limits.ts';

export type Validated<Command> = { ok: true; command: Command } | { ok: false; error: AppError };

/**
 * Stage 1: the command as its schema types it, or why the input cannot be one. The limits come before the schema:
 * every command, whatever its fields, carries only what every read model can store.
 */
export function validateCommand<Command>(schema: z.ZodType<Command>, input: unknown, limits: InputLimits): Validated<Command> {
  // Its payload is `data` (the client's fields, so the limits and paths are the body's); `type` is the schema's.
  const malformed = refuseInput(payloadOf(input), limits);
  if (malformed) return { ok: false, error: malformed };
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, command: parsed.data };
  // Paths name the client's fields: a command's payload is its `data`.
  const issues = parsed.error.issues.map((issue) => fieldIssue(issue, issue.path[0] === 'data' ? issue.path.slice(1) : issue.path));
  return { ok: false, error: appError('invalid', 'VALIDATION_FAILED', issuesSummary('the command is invalid', issues), { issues }) };
}

/** A command's payload: its `data` (what the client sent); anything else is left to the schema to refuse. */
function payloadOf(input: unknown): unknown {
  return typeof input === 'object' && input !== null && 'data' in input ? input.data : undefined;
}
