import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../domain/shared/app-error.ts';
import type { BuiltPolicyRequest } from '../../commands/governance/policy-request.ts';
import { sendError } from '../command-reply.ts';
import { readErrors, readReply } from '../openapi/responses.ts';
import type { Platform } from '../platform.ts';
import { authorizeOrgRead, type OrgReadAction } from '../read-access.ts';
import { orgIdParam } from '../routes/orgs.ts';
import { readModelsBehind } from '../routes/read-models-behind.ts';
import type { ZodRequestTypes } from './request-schemas.ts';

const orgPath = z.object(orgIdParam);

/** The validated request of an org-scoped read, as its `read` and `answer` see it. */
export interface OrgReadInput<Params, Query, Body> {
  params: Params;
  query: Query;
  body: Body;
  orgId: string;
  /** The instant the read is decided at: what is "in force now" in the answer is judged at the same instant. */
  now: string;
}

/** A read as the policy sees it (`command.type`, `command.data`), and the job space it is limited to, if any. */
export interface NamedRead {
  type: string;
  data: Record<string, unknown>;
  jobSpace?: string | null;
}

type Parsed<Schema> = Schema extends z.ZodType ? z.output<Schema> : Record<string, never>;

export interface OrgReadRoute<Params extends z.ZodType<{ orgId: string }>, Query extends z.ZodType | undefined, Body extends z.ZodType | undefined> {
  /** GET unless the read's parameters are a body (what-if). */
  method?: 'GET' | 'POST';
  url: string;
  summary: string;
  description: string;
  tags: string[];
  /** The path's parameters; the org's id alone by default. */
  params?: Params;
  querystring?: Query;
  body?: Body;
  /** The 200 answer: its description and schema. */
  reply: [description: string, schema: z.ZodType];
  /** The error answers documented; a read's by default. */
  errors?: Record<string, z.ZodType>;
  action: OrgReadAction;
  /** The read decided by the policy, from the validated request. */
  read(input: OrgReadInput<Parsed<Params>, Parsed<Query>, Parsed<Body>>): NamedRead;
  /** The projections whose read models the answer comes from: the read waits for them to reach the head of the log. */
  readModels?: readonly string[];
  /** The answer, or the error to send instead; called only once the read is allowed and the read models are caught up. */
  answer(input: OrgReadInput<Parsed<Params>, Parsed<Query>, Parsed<Body>> & { allowed: BuiltPolicyRequest }, reply: FastifyReply): unknown;
}

/**
 * A read of one org's data (`/orgs/:orgId/...`, `/audit/orgs/:orgId/...`), in the scope it is declared in (the
 * protected one): documented from its schemas, decided by the org's policy first (`authorizeOrgRead`: a principal
 * that may not read the org learns nothing about it), then answered from read models once they have reached the head
 * of the log (read-your-writes; 503 READ_MODEL_BEHIND otherwise).
 */
export function orgReadRoute<
  Params extends z.ZodType<{ orgId: string }> = typeof orgPath,
  Query extends z.ZodType | undefined = undefined,
  Body extends z.ZodType | undefined = undefined,
>(app: FastifyInstance, platform: Platform, route: OrgReadRoute<Params, Query, Body>): void {
  const [replyDescription, replySchema] = route.reply;
  const schema = {
    summary: route.summary,
    description: route.description,
    tags: route.tags,
    params: route.params ?? orgPath,
    ...(route.querystring === undefined ? {} : { querystring: route.querystring }),
    ...(route.body === undefined ? {} : { body: route.body }),
    response: { '200': readReply(replyDescription, replySchema), ...(route.errors ?? readErrors) },
  };
  app.withTypeProvider<ZodRequestTypes>().route({
    method: route.method ?? 'GET',
    url: route.url,
    schema,
    handler: async (request, reply) => {
      // Parsed by the route's own schemas (useZodSchemas) before this runs; an absent part is answered as empty.
      const params = request.params as Parsed<Params>;
      const input = {
        params,
        query: (route.querystring === undefined ? {} : request.query) as Parsed<Query>,
        body: (route.body === undefined ? {} : request.body) as Parsed<Body>,
        orgId: params.orgId,
        now: new Date().toISOString(),
      };
      const { jobSpace, ...read } = route.read(input);
      const options = jobSpace === undefined ? { now: input.now } : { now: input.now, jobSpace };
      const allowed = await authorizeOrgRead(platform.loader, request.principal, route.action, input.orgId, read, options);
      if (isAppError(allowed)) return sendError(reply, allowed);
      const behind = route.readModels === undefined ? null : await readModelsBehind(platform, route.readModels);
      if (behind) return sendError(reply, behind);
      const answer: unknown = await route.answer({ ...input, allowed }, reply);
      return isAppError(answer) ? sendError(reply, answer) : answer;
    },
  });
}
