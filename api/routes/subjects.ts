import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appError, isAppError } from '../../domain/shared/app-error.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { subjectCommandSchema } from '../../domain/subject/commands.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import { capabilityNameSchema, subjectKindSchema } from '../../domain/subject/fields.ts';
import { subjectAggregate } from '../../commands/handlers/subject.ts';
import { apiKeyAggregate } from '../../commands/handlers/credential.ts';
import { commandEnvelopeFrom } from '../command-envelope.ts';
import { answerDetailOf } from '../answer-detail.ts';
import { sendCommand, sendError } from '../command-reply.ts';
import { commandErrors, commandReply, readErrors, readReply, principalReply } from '../openapi/responses.ts';
import type { Platform } from '../platform.ts';
import { authorizeRead, subjectRead } from '../read-access.ts';
import { issueKey, issueKeyCommand, issuedKeyReply, issueKeyBody, keyIdParam, revokeKey, revokeKeyBody } from './api-keys.ts';
import { commandBody, commandSchema, commandRoute, bodyWithPath, type CommandRouteSchema } from './command-route.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

const subjectIdParam = { subjectId: uuidSchema.describe('the subject id') };
const capabilityParam = { ...subjectIdParam, name: capabilityNameSchema.describe('the capability name, e.g. nlp.summarize') };
const tags = ['subjects'];

const subjectBody = (type: string, fromPath: string[], optional: string[] = []) => commandBody(subjectCommandSchema, type, { fromPath, optional });

export const subjectReply = z.object({
  subjectId: z.uuid(),
  kind: subjectKindSchema,
  displayName: z.string(),
  description: z.string(),
  endpoint: z.string().nullable(),
  status: z.enum(['active', 'suspended']),
  statusReason: z.string().nullable(),
  capabilities: z.record(
    z.string(),
    z.object({
      level: z.int(),
      evidence: z.string().nullable(),
      verified: z.object({ by: z.string(), orgId: z.uuid(), at: z.string() }).nullable(),
      verifiedIn: z
        .record(z.string(), z.object({ by: z.string(), orgId: z.uuid(), at: z.string() }))
        .describe('verifications by org id; each counts only in its org'),
    }),
  ),
  registeredBy: principalReply,
  revision: z.int().describe('the subject stream revision (also the ETag)'),
});

function doc(
  summary: string,
  description: string,
  fields: Pick<CommandRouteSchema, 'params' | 'body'> & { response?: CommandRouteSchema['response'] },
): CommandRouteSchema {
  return { summary, description, tags, response: { '200': commandReply('Done (or nothing to do)'), ...commandErrors }, ...fields };
}

/** The commands on a subject that are its body and its path: path below the subject, command, summary, description. */
const subjectCommands: ReadonlyArray<readonly [string, string, string, string]> = [
  [
    'profile',
    'UpdateSubjectProfile',
    'Update a subject profile',
    'UpdateSubjectProfile (action `subject.update`); `endpoint: null` removes the endpoint. A subject may update itself.',
  ],
  [
    'capabilities',
    'DeclareCapability',
    'Declare a capability',
    'DeclareCapability (action `subject.capability.declare`): adds it or replaces its level/evidence, which clears its verification.',
  ],
  ['capabilities/:name/withdraw', 'WithdrawCapability', 'Withdraw a capability', 'WithdrawCapability (action `subject.capability.withdraw`).'],
  [
    'capabilities/:name/verify',
    'VerifyCapability',
    'Verify a capability',
    'VerifyCapability (action `subject.capability.verify`), in the name of `orgId`, whose policy decides who may verify (by default: its owner). `level` must be the declared level. No subject verifies itself (403 SELF_VERIFICATION).',
  ],
  [
    'suspend',
    'SuspendSubject',
    'Suspend a subject',
    'SuspendSubject (action `subject.suspend`). A suspended subject is refused at authentication (403 SUBJECT_SUSPENDED) and cannot be granted roles.',
  ],
  ['reinstate', 'ReinstateSubject', 'Reinstate a subject', 'ReinstateSubject (action `subject.reinstate`).'],
];

/** Subjects (agents, humans, services) live outside orgs: their commands are governed by the platform policy. */
export async function subjectRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  commandRoute(app, platform, {
    url: '/subjects',
    aggregate: subjectAggregate,
    status: 201,
    schema: doc(
      'Register a subject',
      'RegisterSubject (action `subject.register`). `subjectId` derives from the command id when absent, so a retry with the same Idempotency-Key registers the same subject.',
      {
        body: subjectBody('RegisterSubject', [], ['subjectId']),
        response: { '201': commandReply('The subject is registered', { subjectId: z.uuid() }), ...commandErrors },
      },
    ),
    build: bodyWithPath('RegisterSubject', [], { subjectId: 'subject' }),
    reply: (result) => ({ subjectId: result.streamId.slice('subject-'.length) }),
  });

  const routes = app.withTypeProvider<ZodRequestTypes>();
  routes.get(
    '/subjects/:subjectId',
    {
      schema: {
        summary: 'Read a subject',
        description: 'Action `subject.read` on the subject: platform admins, and a subject reading itself. ETag = stream revision.',
        tags,
        params: z.object(subjectIdParam),
        response: { '200': readReply('The subject', subjectReply), ...readErrors },
      },
    },
    async (request, reply) => {
      const { subjectId } = request.params;
      const allowed = await authorizeRead(platform.loader, request.principal, subjectRead(subjectId));
      if (isAppError(allowed)) return sendError(reply, allowed);
      const loaded = await platform.loader.load(subjectDecider, subjectStream(subjectId));
      if (loaded.state === null) return sendError(reply, appError('not_found', 'SUBJECT_NOT_FOUND', `subject ${subjectId} does not exist`, { subjectId }));
      reply.header('etag', `"${loaded.revision}"`);
      return { ...loaded.state, revision: Number(loaded.revision) };
    },
  );

  for (const [path, type, summary, description] of subjectCommands) {
    const onCapability = path.includes(':name');
    const fromPath = onCapability ? ['subjectId', 'name'] : ['subjectId'];
    commandRoute(app, platform, {
      url: `/subjects/:subjectId/${path}`,
      aggregate: subjectAggregate,
      schema: doc(summary, description, { params: z.object(onCapability ? capabilityParam : subjectIdParam), body: subjectBody(type, fromPath) }),
      build: bodyWithPath(type, fromPath),
    });
  }

  routes.post(
    '/subjects/:subjectId/api-keys',
    {
      schema: commandSchema({
        summary: "Issue a subject's API key",
        description:
          'An API key whose principal is the subject (action `subject.apikey.issue`, platform policy: platform admins). The subject must exist (404 SUBJECT_NOT_FOUND) and be active (409 SUBJECT_SUSPENDED). The key is in the answer, once.',
        tags,
        params: z.object(subjectIdParam),
        body: issueKeyBody,
        response: { '201': commandReply('The key was issued', { subjectId: z.uuid(), ...issuedKeyReply }), ...commandErrors },
      }),
    },
    async (request, reply) => {
      const { subjectId } = request.params;
      return issueKey(platform, request, reply, () => ({ id: subjectId, kind: 'subject' }), request.body, { subjectId });
    },
  );

  routes.post(
    '/subjects/:subjectId/api-keys/:keyId/revoke',
    {
      schema: commandSchema({
        summary: "Revoke a subject's API key",
        description: "Action `subject.apikey.revoke`. 404 API_KEY_NOT_FOUND unless the key is this subject's.",
        tags,
        params: z.object({ ...subjectIdParam, ...keyIdParam }),
        body: revokeKeyBody,
        response: { '200': commandReply('The key is revoked (or already was)'), ...commandErrors },
      }),
    },
    async (request, reply) => {
      const { subjectId, keyId } = request.params;
      return revokeKey(platform, request, reply, { keyId, reason: request.body.reason, subjectId });
    },
  );

  routes.post(
    '/subjects/:subjectId/api-keys/:keyId/rotate',
    {
      schema: commandSchema({
        summary: "Rotate a subject's API key",
        description:
          "Issues a new key for the subject (action `subject.apikey.issue`), then revokes the old one (`subject.apikey.revoke`). Both steps derive their command ids from this request, so a retry with the same Idempotency-Key finishes a rotation that was interrupted between them. 404 API_KEY_NOT_FOUND unless the old key is this subject's and active.",
        tags,
        params: z.object({ ...subjectIdParam, ...keyIdParam }),
        body: issueKeyBody,
        response: {
          '201': commandReply('The new key (shown once); the old one is revoked', { subjectId: z.uuid(), revokedKeyId: z.string(), ...issuedKeyReply }),
          ...commandErrors,
        },
      }),
    },
    async (request, reply) => {
      const detail = answerDetailOf(request);
      if (isAppError(detail)) return sendError(reply, detail);
      const envelope = commandEnvelopeFrom(request);
      if (isAppError(envelope)) return sendError(reply, envelope);
      const { subjectId, keyId } = request.params;
      const old = platform.apiKeys.keyOwner(keyId);
      if (!old || old.id !== subjectId) {
        return sendError(reply, appError('not_found', 'API_KEY_NOT_FOUND', `subject ${subjectId} has no key ${keyId}`, { subjectId, keyId }));
      }
      const issued = await issueKeyCommand(platform, envelope, request.body.label, () => ({ id: subjectId, kind: 'subject' }));
      // A retry after an interruption between the two steps: the new key exists (its secret was shown once), so
      // finish by revoking the old one, then say the key was already issued.
      const resumed = isAppError(issued) && issued.code === 'KEY_ALREADY_ISSUED';
      if (isAppError(issued) && !resumed) return sendError(reply, issued);
      const revoked = await platform.pipeline.execute(
        apiKeyAggregate,
        { type: 'RevokeApiKey', data: { keyId, reason: 'rotated', subjectId } },
        { ...envelope, commandId: `${envelope.commandId}.revoke`, causationId: envelope.commandId },
      );
      if (isAppError(revoked)) return sendCommand(reply, revoked, { detail });
      if (revoked.position !== null) await platform.apiKeys.waitFor(revoked.position);
      if (isAppError(issued)) return sendCommand(reply, issued, { detail });
      return sendCommand(reply, issued.result, { detail, status: 201, extra: { subjectId, revokedKeyId: keyId, keyId: issued.keyId, key: issued.key } });
    },
  );
}
