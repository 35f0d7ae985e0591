import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { mcpTestServer } from './mcp-tools.ts';

// Run as a child process by the tool-runner tests (node --import tsx): the test MCP server on stdin/stdout.
await mcpTestServer().connect(new StdioServerTransport());
