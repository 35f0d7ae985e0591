/**
 * `npm run demo`: the platform and four agent processes on NATS, two jobs, the whole governance trail printed.
 *
 *   1. starts the platform (`agencygrid serve`) as a child process on a free port, data in a temp dir, NATS_URL set;
 *   2. applies an org over HTTP: roles, four agent subjects with capabilities and API keys, `work.*` settings
 *      (auction, the tools contracts permit, who escalations go to);
 *   3. starts the agents (examples/agents/agent.ts), each its own process with its own NATS connection;
 *   4. job 1 goes through auction -> contract -> execution -> verification;
 *   5. job 2 has a deadline its (slow) assignee misses: breach, escalation, and the escalatee cancels it.
 *
 * Needs NATS (JetStream) at NATS_URL (default nats://127.0.0.1:4222). On a secured bus (deploy/nats), set
 * NATS_CREDS_FILE and NATS_AGENT_ISSUER_SEED_FILE as for the platform: the demo watches with the platform's
 * credentials and each agent asks the platform for its own.
 *
 * `--keep` (`npm run demo -- --keep`): when the demo is done, the agents stop but the platform stays up, with its
 * data, until Ctrl-C; the demo prints its URL, admin key and the commands to read the trail. Without it, the
 * platform stops and its data is removed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { NatsBus } from '../../api/agent-client/index.ts';
import { closingLines } from './closing.ts';
import { httpClient } from './http.ts';
import { printTrail } from './trail.ts';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const usage = 'usage: npm run demo [-- --keep]';
const args = process.argv.slice(2);
if (args.some((arg) => arg !== '--keep')) {
  console.error(`unknown argument ${args.find((arg) => arg !== '--keep')}\n${usage}`);
  process.exit(2);
}
const keep = args.includes('--keep');
const children: ChildProcess[] = [];
let platform: ChildProcess | undefined;
/** Agents that said they are ready (subscribed to their inbox). */
const ready = new Set<string>();
const dataDir = mkdtempSync(join(tmpdir(), 'agencygrid-demo-'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function start(script: string[], env: Record<string, string>, label: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => {
    if (label === 'platform') return;
    process.stdout.write(chunk);
    if (chunk.toString().includes('] ready (')) ready.add(label);
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${label}] ${chunk.toString()}`));
  children.push(child);
  return child;
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<{ baseUrl: string; adminKey: string; orgId: string; jobs: string[] }> {
  const credsFile = process.env.NATS_CREDS_FILE;
  const credentials = credsFile ? { credentials: { creds: readFileSync(credsFile, 'utf8') } } : {};
  const watcher = await NatsBus.connect(NATS_URL, { name: 'agencygrid-demo', ...credentials }).catch((error: unknown) => {
    throw new Error(`the demo needs NATS with JetStream at ${NATS_URL} (set NATS_URL): ${error instanceof Error ? error.message : String(error)}`);
  });
  const port = await freePort();
  const adminKey = `demo-${randomBytes(24).toString('hex')}`;
  const baseUrl = `http://127.0.0.1:${port}`;
  console.log(`AgencyGrid demo: platform on ${baseUrl}, NATS ${NATS_URL}, data in ${dataDir}\n`);
  platform = start(
    ['bin/agencygrid.ts', 'serve'],
    { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, NATS_URL, AGENCYGRID_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn' },
    'platform',
  );
  await waitUntil('the platform', async () => (await fetch(`${baseUrl}/ready`).catch(() => null))?.ok === true);
  const api = httpClient(baseUrl, adminKey);

  // The org: who works, who reviews, and how work is assigned.
  const org = await api.post(
    '/orgs',
    {
      name: 'Demo Lab',
      slug: `demo-lab-${randomBytes(3).toString('hex')}`,
      metadata: {
        'work.assignmentStrategy': 'auction',
        'work.bidWindowMs': '1500',
        'work.permittedTools': 'text.summarise,text.transform',
        'work.escalateTo': 'lead',
        'work.taskHeartbeatMs': '3000',
      },
    },
    201,
  );
  const orgId = String(org.orgId);
  for (const role of ['worker', 'reviewer', 'lead']) await api.post(`/orgs/${orgId}/roles`, { name: role });
  // The org's own policy (it replaces the default one), from the file its policy tests run against.
  const policy = await api.post(`/orgs/${orgId}/policies`, parseYaml(readFileSync(new URL('./demo-lab.policy.yaml', import.meta.url), 'utf8')), 201);
  await api.post(`/orgs/${orgId}/policies/${String(policy.version)}/publish`, {});
  const lead = await api.post('/subjects', { kind: 'human', displayName: 'Lena (lead)' }, 201);
  const leadId = String(lead.subjectId);
  await api.post(`/orgs/${orgId}/associations`, { subjectId: leadId, role: 'lead' }, 201);
  const leadKey = String((await api.post(`/subjects/${leadId}/api-keys`, { label: 'demo' }, 201)).key);
  const names = new Map<string, string>([[leadId, 'Lena']]);
  const agents: Array<{ name: string; skill: string; price: number; role: string; capabilities: Record<string, number> }> = [
    { name: 'Ada', skill: 'summarise', price: 12, role: 'worker', capabilities: { summarise: 3 } },
    { name: 'Basil', skill: 'summarise', price: 8, role: 'worker', capabilities: { summarise: 2 } },
    { name: 'Cleo', skill: 'title_case', price: 5, role: 'worker', capabilities: { title_case: 3 } },
    { name: 'Vera', skill: 'verify', price: 0, role: 'reviewer', capabilities: {} },
  ];
  const ids = new Map<string, string>();
  for (const agent of agents) {
    const subject = await api.post('/subjects', { kind: 'agent', displayName: agent.name }, 201);
    const id = String(subject.subjectId);
    for (const [capability, level] of Object.entries(agent.capabilities)) await api.post(`/subjects/${id}/capabilities`, { name: capability, level });
    await api.post(`/orgs/${orgId}/associations`, { subjectId: id, role: agent.role }, 201);
    const key = String((await api.post(`/subjects/${id}/api-keys`, { label: 'demo' }, 201)).key);
    names.set(id, agent.name);
    ids.set(agent.name, id);
    start(
      ['examples/agents/agent.ts'],
      { NATS_URL, AGENCYGRID_URL: baseUrl, AGENT_ID: id, AGENT_KEY: key, AGENT_NAME: agent.name, AGENT_SKILL: agent.skill, AGENT_PRICE: String(agent.price) },
      agent.name,
    );
  }

  const seen: Array<{ type: string; data: Record<string, unknown> }> = [];
  await printTrail(watcher, orgId, names, (type, data) => seen.push({ type, data }));
  await waitUntil('the agents', () => agents.every((agent) => ready.has(agent.name)));

  console.log('\n== Job 1: auction, contract, execution, verification ==');
  const job1 = String(
    (
      await api.post(
        `/orgs/${orgId}/jobs`,
        {
          goal: 'Summarise the incident report',
          objectives: ['The database failed over at 02:10 and recovered by 02:25', 'No data was lost'],
          completionMode: 'verified',
          verifierSubjectIds: [ids.get('Vera')],
          requiredCapabilities: [{ name: 'summarise', level: 2 }],
          outputTemplate: { summary: 'one sentence', words: 'how long the input was' },
          deadline: new Date(Date.now() + 120_000).toISOString(),
        },
        201,
      )
    ).jobId,
  );
  await waitUntil('job 1 to be verified', () => seen.some((event) => event.type === 'JobVerified' && event.data.jobId === job1), 60_000);

  console.log('\n== Job 2: a deadline the assignee misses, escalated to the lead ==');
  await api.post(`/orgs/${orgId}/metadata`, {
    metadata: {
      'work.assignmentStrategy': 'direct',
      'work.permittedTools': 'text.summarise,text.transform',
      'work.escalateTo': 'lead',
      'work.taskHeartbeatMs': '3000',
    },
  });
  const slow = await api.post('/subjects', { kind: 'agent', displayName: 'Sloane' }, 201);
  const slowId = String(slow.subjectId);
  await api.post(`/orgs/${orgId}/associations`, { subjectId: slowId, role: 'worker' }, 201);
  const slowKey = String((await api.post(`/subjects/${slowId}/api-keys`, { label: 'demo' }, 201)).key);
  names.set(slowId, 'Sloane');
  start(
    ['examples/agents/agent.ts'],
    { NATS_URL, AGENCYGRID_URL: baseUrl, AGENT_ID: slowId, AGENT_KEY: slowKey, AGENT_NAME: 'Sloane', AGENT_SKILL: 'slow' },
    'Sloane',
  );
  await waitUntil('Sloane', () => ready.has('Sloane'));
  const job2 = String(
    (
      await api.post(
        `/orgs/${orgId}/jobs`,
        {
          goal: 'Summarise the board minutes before the meeting',
          completionMode: 'single',
          assignmentStrategy: 'direct',
          directAssignee: slowId,
          deadline: new Date(Date.now() + 4_000).toISOString(),
        },
        201,
      )
    ).jobId,
  );
  await waitUntil('job 2 to be escalated', () => seen.some((event) => event.type === 'JobEscalated' && event.data.jobId === job2), 30_000);
  console.log('\n   Lena (lead, a human with her own key) resolves the escalation: cancel the job');
  await api.post(`/orgs/${orgId}/jobs/${job2}/resolve-escalation`, { resolution: 'cancel', note: 'the meeting is over; no longer needed' }, 200, leadKey);
  await waitUntil('the contract of job 2 to end', () => seen.some((event) => event.type === 'ContractTerminated'), 15_000);

  await watcher.close();
  return { baseUrl, adminKey, orgId, jobs: [job1, job2] };
}

/** SIGTERM, and SIGKILL for a process still running 5 s later: the data directory goes only once they are gone. */
async function stop(processes: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    processes.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await stop(children);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}

main().then(
  async (run) => {
    if (!keep) {
      console.log(`\n${closingLines({ ...run, dataDir }, false).join('\n')}`);
      return shutdown(0);
    }
    const done = () => void shutdown(0);
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    platform?.once('exit', (code) => {
      if (stopping) return;
      console.error(`the platform exited (code ${String(code)})`);
      void shutdown(1);
    });
    // The agents' work is done; only the platform (and its data) stays, for inspection.
    await stop(children.filter((child) => child !== platform));
    console.log(`\n${closingLines({ ...run, dataDir }, true).join('\n')}`);
    return undefined;
  },
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    return shutdown(1);
  },
);
