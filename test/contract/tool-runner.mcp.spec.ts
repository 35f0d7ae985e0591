import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolEndpoint } from '../../domain/tool/spec.ts';
import { createToolRunner, listMcpTools } from '../../infra/tool-runners/index.ts';
import { mcpTestServer } from '../support/mcp-tools.ts';
import { describeToolRunnerContract, failure, registeredTool } from './tool-runner.contract.ts';

// Addresses as the registry holds them (the domain's type), which the runners take as they are.
type McpServerAddress = Extract<ToolEndpoint, { kind: 'mcp' }>['server'];

// The stdio server is a child process: node with tsx's loader (by its absolute URL: the server starts in a scratch
// directory, where `tsx` would not resolve) running test/support/mcp-stdio-server.ts.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const stdio: McpServerAddress = {
  transport: 'stdio',
  command: process.execPath,
  args: ['--import', tsx, fileURLToPath(new URL('../support/mcp-stdio-server.ts', import.meta.url))],
};
const runner = createToolRunner({ allowedHosts: (orgId) => (orgId === 'org-1' ? ['127.0.0.1'] : []), secrets: () => undefined, commandAllowed: () => true });
const STARTUP_MS = 8000;

const endpoint = (server: McpServerAddress, remoteName: string): ToolEndpoint => ({ kind: 'mcp', server, remoteName });
const run = (target: ToolEndpoint, orgId = 'org-1') =>
  runner.run({ tool: registeredTool(target, { timeoutMs: STARTUP_MS }), input: { q: 1 }, orgId, signal: new AbortController().signal });

describeToolRunnerContract('mcp over stdio', async () => ({
  runner,
  endpoint: (behaviour) => endpoint(stdio, behaviour),
  orgId: 'org-1',
  startupMs: STARTUP_MS,
  close: async () => undefined,
}));

describe('mcp tool runner over stdio', () => {
  it("lists the server's tools with their schemas, for import", async () => {
    const listing = await listMcpTools(stdio, { timeoutMs: STARTUP_MS });
    if (!listing.ok) throw new Error(listing.message);
    expect(listing.tools.map((tool) => tool.name).sort()).toEqual(['echo', 'fail', 'flood', 'hang', 'structured', 'words']);
    const structured = listing.tools.find((tool) => tool.name === 'structured');
    expect(structured).toMatchObject({ description: 'Answers structured content', inputSchema: { type: 'object' } });
    expect(structured?.outputSchema).toMatchObject({ type: 'object', properties: { answer: { type: 'number' } } });
  });

  it('fails a listing from a server that never answers with timeout', async () => {
    const silent: McpServerAddress = { transport: 'stdio', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] };
    const listing = await listMcpTools(silent, { timeoutMs: 1000 });
    expect(listing).toMatchObject({ ok: false, code: 'timeout' });
  });

  it('answers structuredContent when the tool gives it', async () => {
    expect(await run(endpoint(stdio, 'structured'))).toMatchObject({ ok: true, output: { answer: 42 } });
  });

  it('answers text that is not JSON as the text', async () => {
    expect(await run(endpoint(stdio, 'words'))).toMatchObject({ ok: true, output: 'just words' });
  });

  it('answers a result flagged isError as remote_error, with its text', async () => {
    const result = failure(await run(endpoint(stdio, 'fail')));
    expect(result.code).toBe('remote_error');
    expect(result.message).toContain('the tool failed on purpose');
  });

  it('answers a tool the server does not have as remote_error', async () => {
    expect(failure(await run(endpoint(stdio, 'no-such-tool'))).code).toBe('remote_error');
  });

  it('fails a server that cannot be started with unreachable', async () => {
    const missing: McpServerAddress = { transport: 'stdio', command: '/nonexistent/mcp-server', args: [] };
    expect(failure(await run(endpoint(missing, 'echo'))).code).toBe('unreachable');
  });

  it('fails a server that exits at once with crashed, with the end of its stderr', async () => {
    const dies: McpServerAddress = { transport: 'stdio', command: process.execPath, args: ['-e', 'console.error("no config"); process.exit(2)'] };
    const result = failure(await run(endpoint(dies, 'echo')));
    expect(result.code).toBe('crashed');
    expect(result.message).toContain('no config');
  });

  it('gives the server no environment but PATH', async () => {
    process.env.AGENCYGRID_TEST_SECRET = 'not-for-tools';
    try {
      // A server that exits at once with its environment on stderr: the crash message carries what it saw.
      const tells: McpServerAddress = {
        transport: 'stdio',
        command: process.execPath,
        args: ['-e', 'console.error(Object.keys(process.env).join(",")); process.exit(1)'],
      };
      const result = failure(await run(endpoint(tells, 'echo')));
      expect(result.message).toMatch(/: PATH$/);
    } finally {
      delete process.env.AGENCYGRID_TEST_SECRET;
    }
  });
});

describe('mcp tool runner over streamable HTTP', () => {
  let server: Server;
  let http: McpServerAddress;
  beforeAll(async () => {
    // Stateless: a server and a transport per request, as the SDK's stateless example does.
    server = createServer(async (request, response) => {
      const mcp = mcpTestServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      response.on('close', () => {
        void transport.close();
        void mcp.close();
      });
      await mcp.connect(transport);
      await transport.handleRequest(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    http = { transport: 'http', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp` };
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('calls a tool and lists the tools', async () => {
    expect(await run(endpoint(http, 'echo'))).toMatchObject({ ok: true, output: { q: 1 } });
    const listing = await listMcpTools(http, { allowedHosts: ['127.0.0.1'] });
    expect(listing.ok && listing.tools.length).toBe(6);
  });

  it('holds a flood to the output limit while reading it', async () => {
    const result = await runner.run({
      tool: registeredTool(endpoint(http, 'flood'), { timeoutMs: 5000, maxOutputBytes: 1024 }),
      input: {},
      orgId: 'org-1',
      signal: new AbortController().signal,
    });
    expect(failure(result).code).toBe('output_too_large');
  });

  it('refuses a host the org does not allow, for calls and for listings', async () => {
    expect(failure(await run(endpoint(http, 'echo'), 'org-2')).code).toBe('host_not_allowed');
    expect(await listMcpTools(http)).toMatchObject({ ok: false, code: 'host_not_allowed' });
  });
});
