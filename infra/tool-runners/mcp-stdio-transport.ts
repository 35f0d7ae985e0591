import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { killGroup, spawnInGroup } from './child-process.ts';
import { TailText } from './outcome.ts';

/**
 * MCP over stdio to a server the platform starts, as the SDK's StdioClientTransport does but sandboxed like an
 * executable tool: the SDK's passes HOME, USER, SHELL and more on, this one only PATH (a stdio server is usually
 * started by name: `npx`, `uvx`). The server runs in a scratch directory of its own, in a process group killed on
 * close, and a message larger than `maxMessageBytes` closes the connection (`overflowed`) instead of growing a buffer.
 */
export class SandboxedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;
  /** Set when the server sent a message past the cap: the connection was closed for it. */
  overflowed = false;
  /** Set when the server's process ended on its own, with how; its stderr's tail is in `stderr`. */
  exit: string | undefined;
  readonly stderr = new TailText();
  private child: ChildProcessWithoutNullStreams | undefined;
  private directory: string | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly buffer: ReadBuffer;

  constructor(
    private readonly command: string,
    private readonly args: readonly string[],
    maxMessageBytes: number,
  ) {
    this.buffer = new ReadBuffer({ maxBufferSize: maxMessageBytes });
  }

  async start(): Promise<void> {
    this.directory = await mkdtemp(join(tmpdir(), 'agencygrid-mcp-'));
    const child = spawnInGroup(this.command, this.args, { cwd: this.directory, env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' } });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('exit', (code, signal) => {
      this.exit ??= signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
      this.onclose?.();
    });
    child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) throw new Error('the MCP server is not running');
    if (!child.stdin.write(serializeMessage(message))) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }

  async close(): Promise<void> {
    const child = this.child;
    if (child !== undefined) {
      // Ended by us, not on its own: the exit is not the server's failure.
      this.exit ??= 'closed';
      killGroup(child);
      child.stdout.destroy();
      child.stderr.destroy();
      await this.exited;
      this.child = undefined;
    }
    if (this.directory !== undefined) await rm(this.directory, { recursive: true, force: true });
    this.directory = undefined;
  }

  private receive(chunk: Buffer): void {
    try {
      this.buffer.append(chunk);
    } catch {
      this.overflowed = true;
      void this.close();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (error) {
        // A line that is not JSON-RPC (a server logging to stdout): reported, the connection goes on.
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }
}
