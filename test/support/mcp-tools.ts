import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/**
 * The MCP server the tool-runner tests import tools from and call: one tool per behaviour a runner must handle.
 * Served over stdio by mcp-stdio-server.ts (a child process, as a real one would be) or over streamable HTTP by the test.
 */
export function mcpTestServer(): McpServer {
  const server = new McpServer({ name: 'agencygrid-test-tools', version: '1.0.0' });
  const anyObject = z.object({}).loose();
  server.registerTool('echo', { description: 'Answers its arguments', inputSchema: anyObject }, async (args) => ({
    content: [{ type: 'text', text: JSON.stringify(args) }],
  }));
  server.registerTool('hang', { description: 'Never answers', inputSchema: anyObject }, () => new Promise(() => undefined));
  server.registerTool('flood', { description: 'Answers 2 MB of text', inputSchema: anyObject }, async () => ({
    content: [{ type: 'text', text: 'x'.repeat(2 * 1024 * 1024) }],
  }));
  server.registerTool('fail', { description: 'Answers an error', inputSchema: anyObject }, async () => ({
    isError: true,
    content: [{ type: 'text', text: 'the tool failed on purpose' }],
  }));
  server.registerTool('structured', { description: 'Answers structured content', inputSchema: anyObject, outputSchema: { answer: z.number() } }, async () => ({
    structuredContent: { answer: 42 },
    content: [{ type: 'text', text: 'forty-two' }],
  }));
  server.registerTool('words', { description: 'Answers text that is not JSON', inputSchema: anyObject }, async () => ({
    content: [{ type: 'text', text: 'just words' }],
  }));
  return server;
}
