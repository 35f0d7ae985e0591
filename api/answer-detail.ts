import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appError, type AppError } from '../domain/shared/app-error.ts';

/**
 * How much a command's answer explains: `summary` (the default) the decision in brief, `full` every event's data and
 * the decision's full explanation (a refusal's every rule evaluation, where the caller may read the org's policy).
 * Chosen per request with `?explain=full`, on every command route alike.
 */
export const answerDetailSchema = z.enum(['summary', 'full']);
export type AnswerDetail = z.infer<typeof answerDetailSchema>;

/** The `explain` query parameter of every command route, for the OpenAPI document. */
export const explainQuery = {
  explain: answerDetailSchema
    .default('summary')
    .describe(
      "`summary` (default): the decision in brief and the events without their data; `full`: every event with its data and the full explanation of the decision (a refusal: every rule's evaluation, where the caller may read the policy)",
    ),
};

/** The detail the request asked for; 400 VALIDATION_FAILED for anything but `summary` or `full` (other parameters are not a command's). */
export function answerDetailOf(request: FastifyRequest): AnswerDetail | AppError {
  const query = typeof request.query === 'object' && request.query !== null ? (request.query as Record<string, unknown>) : {};
  const parsed = explainQuery.explain.safeParse(query.explain);
  if (parsed.success) return parsed.data;
  return appError('invalid', 'VALIDATION_FAILED', 'invalid query string', {
    issues: [{ path: ['explain'], message: 'explain is summary or full (given once)' }],
  });
}
