import { readFileSync } from 'node:fs';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { errorJsonSchema } from './responses.ts';

const errorSchema = errorJsonSchema();

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';

/**
 * Collects the OpenAPI document from the routes. Must be registered before any route: @fastify/swagger records
 * routes as they are added.
 *
 * Each route's documentation is its `schema`: summary, description, tags and security as OpenAPI has them, and the
 * zod schemas Fastify validates the request with (api/routing/request-schemas.ts), turned into JSON Schema by the
 * type provider's transform, so what is documented is what is checked. Routes without a summary (GraphQL's,
 * GraphiQL's, the Swagger UI's own) are left out.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'AgencyGrid API',
        version: packageVersion,
        description:
          'Governance backend for societies of AI agents. Every change is a command, checked against the org policy and appended as events; ' +
          'every answer to a failed request is `{code, message, details}`.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' } },
        schemas: { Error: errorSchema, JsonValue: jsonValueSchema() },
      },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'orgs', description: 'The org registry' },
        { name: 'subjects', description: 'Agents, humans and services, and their API keys' },
        { name: 'roster', description: 'Roles, groups, job spaces, separation of duties, associations and applications' },
        { name: 'policies', description: 'Versioned policy sets (draft, publish)' },
        { name: 'workflows', description: 'Versioned workflow definitions (publish, retire)' },
        { name: 'jobs', description: 'Jobs: submission, lifecycle and reads' },
        { name: 'contracts', description: "Contracts of the jobs' assignees: review, signatures, obligations, termination" },
        { name: 'tasks', description: 'Tasks of the jobs: review, cancellation, reassignment' },
        { name: 'tools', description: "An org's tool registry, and its governed tool calls" },
        { name: 'agents', description: 'Agent requests over HTTP (the twin of the bus gateway, for agents without NATS)' },
        { name: 'decisions', description: 'Recorded governance decisions' },
        { name: 'audit', description: 'Audit replay: state as of a position or time, re-evaluation, what-if' },
        { name: 'events', description: 'Live event streams (Server-Sent Events)' },
        { name: 'graphql', description: 'The GraphQL read API (/graphql, GraphiQL at /graphiql)' },
        { name: 'admin', description: 'Platform administration' },
        { name: 'health', description: 'Probes' },
      ],
    },
    // const is JSON Schema 2020-12 and so OpenAPI 3.1; keep it (enums of one value read worse).
    convertConstToEnum: false,
    transform: (document) => (document.schema?.summary === undefined ? { schema: { hide: true }, url: document.url } : jsonSchemaTransform(document)),
    transformObject: (document) => {
      const root = 'openapiObject' in document ? document.openapiObject : document.swaggerObject;
      referToComponents(root.paths);
      return root;
    },
  });
}

/**
 * Swagger UI at /docs and the document at /docs/json (and /docs/yaml): public, like the health probes (the server
 * registers it outside its protected scope).
 */
export async function docsRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}

/** The JSON Schema of any JSON value (`z.json()`), its recursion through the `JsonValue` component. */
function jsonValueSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(z.json());
  return JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#"', `"$ref":"${JSON_VALUE}"`));
}

const JSON_VALUE = '#/components/schemas/JsonValue';
/**
 * The type provider refers to a recursive schema used inline by a component name it does not define
 * (`#/components/schemas/schema0`, numbered per route). The only recursive schema the routes use is `z.json()` (the
 * agent protocol's inputs and deliverables), defined once as `JsonValue`.
 */
const UNDEFINED_CYCLE = /^#\/components\/schemas\/schema\d+$/;

/**
 * Every error response carries the same body: named once (`#/components/schemas/Error`) instead of 400 copies; and
 * every recursion through a JSON value refers to `JsonValue`.
 */
function referToComponents(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  const entries = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(entries)) {
    if (key === 'schema' && isErrorBody(value)) entries[key] = { $ref: '#/components/schemas/Error' };
    else if (key === '$ref' && typeof value === 'string' && UNDEFINED_CYCLE.test(value)) entries[key] = JSON_VALUE;
    else referToComponents(value);
  }
}

function isErrorBody(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && 'required' in schema && JSON.stringify(schema.required) === JSON.stringify(errorSchema.required);
}
