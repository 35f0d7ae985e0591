import { z } from 'zod';
import { boundedJsonObjectSchema, type JsonLimits } from '../shared/bounded-json.ts';

/*
 * What an org registers as a tool: a name, a description, the JSON Schemas of its input and output, and how the
 * platform reaches it. Every kind runs outside the server process: a remote endpoint, a NATS service, an MCP server,
 * or an executable the platform starts as a child process with limits. This file is the contract between the tool
 * registry (domain/tool), the runners that invoke tools (infra/tool-runners) and the workflow steps that call them.
 */

/**
 * A tool's name as a contract's `permittedTools` lists it and an agent names it when calling it (compared exactly):
 * 1 to 128 characters, starting with a letter or digit, then letters, digits and `. _ - : /` (e.g. `web.search`,
 * `mcp:github/create_issue`). No spaces, so one tool has one spelling.
 */
export const toolNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, 'a tool name: letters, digits and . _ - : / (at most 128), starting with a letter or digit');

/** A JSON Schema (draft 2020-12) as a tool declares its input or output; its own validity is checked on registration. */
export const TOOL_SCHEMA_LIMITS: JsonLimits = { maxChars: 32 * 1024, maxDepth: 32, maxEntries: 500 };
export const toolJsonSchemaSchema = boundedJsonObjectSchema(TOOL_SCHEMA_LIMITS);

/** The longest any one call may run, whatever a tool asks for. */
export const MAX_TOOL_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;
const timeoutMsSchema = z.number().int().min(100).max(MAX_TOOL_TIMEOUT_MS).default(DEFAULT_TOOL_TIMEOUT_MS);

/** Bytes of output a call may produce before it is cut off and failed (flooding is a failure, not a bigger event). */
export const MAX_TOOL_OUTPUT_BYTES = 1024 * 1024;
const maxOutputBytesSchema = z
  .number()
  .int()
  .min(1024)
  .max(MAX_TOOL_OUTPUT_BYTES)
  .default(64 * 1024);

const headerNameSchema = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'an HTTP header name');
/** A secret is named, never given: the runner resolves it at call time, so its value never lands in an event. */
const secretRefSchema = z.object({ secret: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'a secret name') }).strict();

/** An HTTPS (or HTTP) endpoint that takes the input as a JSON body and answers JSON. Its host must be one the org allows. */
export const httpToolSchema = z
  .object({
    kind: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }).max(2048),
    method: z.enum(['POST', 'PUT']).default('POST'),
    headers: z.record(headerNameSchema, z.union([z.string().max(1024), secretRefSchema])).default({}),
  })
  .strict();

/** A NATS request/reply service: the input is the request's JSON payload, the reply is the output. */
export const natsToolSchema = z
  .object({
    kind: z.literal('nats'),
    subject: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a NATS subject without wildcards')
      .max(256),
  })
  .strict();

/** A tool of an MCP server, reached over stdio (a command the platform starts) or streamable HTTP. */
export const mcpToolSchema = z
  .object({
    kind: z.literal('mcp'),
    server: z.discriminatedUnion('transport', [
      z
        .object({
          transport: z.literal('stdio'),
          command: z.string().min(1).max(1024),
          args: z.array(z.string().max(4096)).max(64).default([]),
        })
        .strict(),
      z.object({ transport: z.literal('http'), url: z.url({ protocol: /^https?$/ }).max(2048) }).strict(),
    ]),
    /** The tool's name on that server (the registered name is the org's). */
    remoteName: z.string().min(1).max(256),
  })
  .strict();

/**
 * An executable the platform starts per call: the input on stdin as JSON, the output on stdout as JSON. It runs with
 * no inherited environment (only `env` given here), in a scratch directory removed afterwards, under memory and CPU
 * limits, and is killed at its timeout.
 */
export const executableToolSchema = z
  .object({
    kind: z.literal('executable'),
    /** An absolute path: nothing is looked up on a PATH. */
    command: z.string().regex(/^\//, 'an absolute path').max(1024),
    args: z.array(z.string().max(4096)).max(64).default([]),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), z.string().max(4096)).default({}),
    memoryMb: z.number().int().min(16).max(8192).default(256),
    cpuSeconds: z.number().int().min(1).max(3600).default(30),
  })
  .strict();

export const toolEndpointSchema = z.discriminatedUnion('kind', [httpToolSchema, natsToolSchema, mcpToolSchema, executableToolSchema]);
export type ToolEndpoint = z.infer<typeof toolEndpointSchema>;
export type ToolKind = ToolEndpoint['kind'];

/** Everything a tool's registration declares; the registry adds its version and status. */
export const toolSpecSchema = z
  .object({
    name: toolNameSchema,
    description: z.string().trim().max(4000).default(''),
    inputSchema: toolJsonSchemaSchema,
    outputSchema: toolJsonSchemaSchema.default({}),
    endpoint: toolEndpointSchema,
    timeoutMs: timeoutMsSchema,
    maxOutputBytes: maxOutputBytesSchema,
  })
  .strict();
export type ToolSpec = z.infer<typeof toolSpecSchema>;
