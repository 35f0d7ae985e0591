import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { serviceUrl } from '../support/services.ts';

const url = serviceUrl('nats', 'NATS_URL');

describe.runIf(url)('npm run demo', () => {
  it('runs a job through auction, contract, execution and verification, and escalates a missed deadline', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo/run-demo.ts'], { env: { ...process.env, NATS_URL: url! }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, output).toBe(0);
    for (const line of [
      /call for proposals to .*Basil.*Ada|call for proposals to .*Ada.*Basil/,
      /awarded to Basil: lowest price 8/,
      /contract [0-9a-f]{8} active/,
      /BREACH of contract [0-9a-f]{8}: forbidden_action \(permittedTools\)/,
      /job [0-9a-f]{8} VERIFIED by Vera/,
      /BREACH of contract [0-9a-f]{8}: deadline_missed \(obligations\.delivery\)/,
      /job [0-9a-f]{8} ESCALATED to role "lead"/,
      /escalation resolved: cancel -> cancelled/,
    ]) {
      expect(output).toMatch(line);
    }
  }, 90_000);
});
