import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { projectionParkingAggregate } from '../../commands/handlers/projection-parking.ts';
import { logPositionSchema, parkReasonSchema, projectionNameSchema } from '../../domain/projection-parking/fields.ts';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { CommandEnvelope } from '../../commands/command-envelope.ts';
import type { CommandResult } from '../../commands/result.ts';
import type { ProjectionParkingCommand } from '../../domain/projection-parking/commands.ts';
import { commandEnvelopeFrom } from '../command-envelope.ts';
import { answerDetailOf, type AnswerDetail } from '../answer-detail.ts';
import { sendCommand, sendError, type CommandAnswer } from '../command-reply.ts';
import type { Platform } from '../platform.ts';
import { authorizeRead, platformRead } from '../read-access.ts';
import { commandErrors, readErrors, commandReply, readReply, principalReply } from '../openapi/responses.ts';
import { commandSchema } from './command-route.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

const nameParam = { name: projectionNameSchema.describe('the projection name, e.g. orgs') };
const parkedParams = { ...nameParam, position: logPositionSchema.describe('the log position of the parked event') };
const parkBody = z.strictObject({
  position: logPositionSchema.describe('the position of the event the projection stopped at (see GET /admin/projections)'),
  reason: parkReasonSchema.describe('why it is parked, for the audit'),
});
const retryBody = z.strictObject({ reason: parkReasonSchema.describe('why it is retried now (e.g. the fix that was deployed)') });

const parkedEvent = z.object({
  projection: z.string(),
  position: z.string(),
  event: z.object({ eventId: z.string(), type: z.string(), streamId: z.string() }),
  reason: z.string(),
  parkedBy: principalReply,
  parkedAt: z.string(),
  parkedAtPosition: z.string().describe('where the park itself is in the log'),
});

/**
 * Parking a poison event: a projection that stopped at an event it cannot apply goes on past it once an operator
 * parks it (an audited command: who, why, which position, in the log), and a parked event can be retried later: it is
 * applied again and, if it now succeeds, unparked. Every instance learns of parks from the log.
 */
export async function projectionParkingRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const routes = app.withTypeProvider<ZodRequestTypes>();
  /**
   * Listing parked events is reading the projections' state (`platform.projections.read`, as GET /admin/projections).
   * Parking or retrying one is checked first as `platform.projections.rebuild` (re-applying one event is within the
   * power to rebuild it all), before anything about a projection is said or re-applied; the change itself is then
   * governed by the pipeline, as `platform.projections.park` / `.retry`, and recorded.
   */
  const allowed = (
    action: 'platform.projections.read' | 'platform.projections.rebuild',
    principal: Parameters<typeof authorizeRead>[1],
    name: string | null,
    type: string,
    data: Record<string, unknown>,
  ) => authorizeRead(platform.loader, principal, platformRead(action, { type: 'projection', id: name }, { type, data }));

  const known = (name: string): AppError | null =>
    platform.projections.names().includes(name)
      ? null
      : appError('not_found', 'PROJECTION_NOT_FOUND', `no projection named ${name}`, { name, known: platform.projections.names() });

  /** A park or retry of a known projection's event: the answer's detail and the command's envelope, or why not. */
  const changeOf = async (
    request: FastifyRequest,
    name: string,
    type: ProjectionParkingCommand['type'],
    data: Record<string, unknown>,
  ): Promise<{ detail: AnswerDetail; envelope: CommandEnvelope } | AppError> => {
    const detail = answerDetailOf(request);
    if (isAppError(detail)) return detail;
    const permitted = await allowed('platform.projections.rebuild', request.principal, name, type, data);
    if (isAppError(permitted)) return permitted;
    const envelope = commandEnvelopeFrom(request);
    if (isAppError(envelope)) return envelope;
    return known(name) ?? { detail, envelope };
  };

  /** Answered once this instance's parked events have it (a parked event's projection has then gone on past it). */
  const answerChange = async (reply: FastifyReply, result: CommandResult | AppError, answer: CommandAnswer) => {
    if (!isAppError(result) && result.position !== null) await platform.parked.waitFor(result.position);
    return sendCommand(reply, result, answer);
  };

  routes.get(
    '/admin/projections/parked',
    {
      schema: {
        summary: 'Parked events',
        description: 'Every event an operator parked, per projection, in log order (action `platform.projections.read`, as the projection status).',
        tags: ['admin'],
        response: { '200': readReply('The parked events', z.object({ parked: z.array(parkedEvent) })), ...readErrors },
      },
    },
    async (request, reply) => {
      const permitted = await allowed('platform.projections.read', request.principal, null, 'ReadParkedEvents', {});
      if (isAppError(permitted)) return sendError(reply, permitted);
      return { parked: platform.parked.list() };
    },
  );

  routes.post(
    '/admin/projections/:name/parked',
    {
      schema: commandSchema({
        summary: 'Park the event a projection stopped at',
        description:
          'Records `ProjectionEventParked` (action `platform.projections.park`: who, why, which position) and the projection goes on past that one event, in every instance. Only the event the projection is stopped at here can be parked: 409 PROJECTION_NOT_STOPPED_THERE otherwise.',
        tags: ['admin'],
        params: z.object(nameParam),
        body: parkBody,
        response: { '201': commandReply('Parked'), ...commandErrors },
      }),
    },
    async (request, reply) => {
      const params = request.params;
      const change = await changeOf(request, params.name, 'ParkProjectionEvent', { projection: params.name });
      if (isAppError(change)) return sendError(reply, change);
      const { detail, envelope } = change;
      const body = request.body;
      const failure = platform.projections.failureOf(params.name);
      if (failure === null || failure.position !== body.position) {
        return sendError(
          reply,
          appError('conflict', 'PROJECTION_NOT_STOPPED_THERE', `projection ${params.name} is not stopped at position ${body.position}`, {
            name: params.name,
            position: body.position,
            stoppedAt: failure?.position ?? null,
          }),
        );
      }
      const result = await platform.pipeline.execute(
        projectionParkingAggregate,
        {
          type: 'ParkProjectionEvent',
          data: {
            projection: params.name,
            position: failure.position,
            event: { eventId: failure.eventId, type: failure.type, streamId: failure.streamId },
            reason: body.reason,
          },
        },
        envelope,
      );
      return answerChange(reply, result, { detail, status: 201 });
    },
  );

  routes.post(
    '/admin/projections/:name/parked/:position/retry',
    {
      schema: commandSchema({
        summary: 'Retry a parked event',
        description:
          "Applies the parked event to the projection again (action `platform.projections.retry`). If it now succeeds, `ProjectionEventUnparked` is recorded (who, why) and 200 answers; if it still fails, 409 PARKED_EVENT_STILL_FAILS (503 when a dependency is unavailable) with the error, and nothing is recorded: it stays parked. The read-model writes keep each document's position, so a document that later events changed keeps their state; rebuild the projection for an exact replay.",
        tags: ['admin'],
        params: z.object(parkedParams),
        body: retryBody,
        response: { '200': commandReply('Applied and unparked'), ...commandErrors },
      }),
    },
    async (request, reply) => {
      const params = request.params;
      const change = await changeOf(request, params.name, 'UnparkProjectionEvent', { projection: params.name, position: params.position });
      if (isAppError(change)) return sendError(reply, change);
      const { detail, envelope } = change;
      const body = request.body;
      if (!platform.parked.get(params.name, params.position)) {
        return sendError(
          reply,
          appError('not_found', 'PARKED_EVENT_NOT_FOUND', `no event at position ${params.position} is parked for projection ${params.name}`, {
            name: params.name,
            position: params.position,
          }),
        );
      }
      const failed = await platform.projections.reapply(params.name, BigInt(params.position));
      if (failed) {
        return sendError(
          reply,
          failed.unavailable
            ? appError('unavailable', 'DEPENDENCY_UNAVAILABLE', `the retry could not run: ${failed.message}`, { name: params.name, position: params.position })
            : appError('conflict', 'PARKED_EVENT_STILL_FAILS', `the parked event still fails: ${failed.message}`, {
                name: params.name,
                position: params.position,
                error: failed.message,
              }),
        );
      }
      const result = await platform.pipeline.execute(
        projectionParkingAggregate,
        { type: 'UnparkProjectionEvent', data: { projection: params.name, position: params.position, reason: body.reason } },
        envelope,
      );
      return answerChange(reply, result, { detail });
    },
  );
}
