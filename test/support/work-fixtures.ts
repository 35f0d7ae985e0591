import { randomUUID } from 'node:crypto';
import { afterAll, expect } from 'vitest';
import { AgentClient, type AgentHandlers } from '../../api/agent-client/index.ts';
import type { Bus } from '../../infra/bus/port.ts';
import { apiClient } from '../e2e/api.client.ts';
import type { TestServer } from './server.ts';

export interface TestAgent {
  id: string;
  key: string;
  client: AgentClient;
}

/** An org set up for work: a `worker` role and the given `work.*` settings (metadata). */
export async function workOrg(server: TestServer, metadata: Record<string, string>, slug = `work-${randomUUID().slice(0, 8)}`): Promise<string> {
  const api = apiClient(server);
  const created = await api.expectStatus(await api.post('/orgs', { name: slug, slug, metadata }), 201);
  const orgId = created.orgId as string;
  await api.defineRole(orgId, { name: 'worker' });
  await api.defineRole(orgId, { name: 'reviewer' });
  return orgId;
}

/**
 * A registered agent with a key, the given capabilities and role in the org, and an AgentClient on `bus` (not
 * started: pass `start: false` to start it later, e.g. after a restart).
 */
export async function workAgent(
  server: TestServer,
  input: {
    orgId: string;
    name: string;
    capabilities?: Record<string, number>;
    role?: string;
    /** The agent's bus: a given one, or one connected for its key (e.g. with bus credentials issued for it). */
    bus?: Bus | { connect: (key: string) => Promise<Bus> };
    handlers: AgentHandlers;
    start?: boolean;
  },
): Promise<TestAgent> {
  const api = apiClient(server);
  const { id, key } = await api.subjectWithKey(input.name);
  for (const [name, level] of Object.entries(input.capabilities ?? {})) {
    await api.expectStatus(await api.post(`/subjects/${id}/capabilities`, { name, level }), 200);
  }
  const granted = await api.grant(input.orgId, id, input.role ?? 'worker');
  expect(granted.statusCode, granted.body).toBe(201);
  const bus = input.bus === undefined ? server.platform.bus : 'connect' in input.bus ? await input.bus.connect(key) : input.bus;
  const client = new AgentClient({ bus, subjectId: id, apiKey: key, requestTimeoutMs: 5_000 }, input.handlers);
  if (input.start !== false) await client.start();
  return { id, key, client };
}

export async function submitJob(server: TestServer, orgId: string, job: Record<string, unknown>): Promise<string> {
  const api = apiClient(server);
  const body = await api.expectStatus(await api.post(`/orgs/${orgId}/jobs`, { goal: 'Summarise the report', completionMode: 'single', ...job }), 201);
  return body.jobId as string;
}

/** The events of one stream, decoded, in order; without the policy decisions recorded with them. */
export async function streamEvents(server: TestServer, streamId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const events: Array<{ type: string; data: Record<string, unknown> }> = [];
  try {
    for await (const recorded of server.platform.store.readStream(streamId)) {
      if (recorded.type === 'DecisionRecorded') continue;
      events.push(server.platform.registry.decode(recorded.type, recorded.data, recorded.metadata));
    }
  } catch {
    return events;
  }
  return events;
}

/** A job's event types up to an escalation raised while it was worked on, and resolved: what follows tells how. */
export const escalatedAtWorkThenResolved = ['JobSubmitted', 'JobContractingStarted', 'JobAssigned', 'JobWorkStarted', 'JobEscalated', 'JobEscalationResolved'];

/** Waits until the job's stream has an event of that type (sagas run asynchronously). */
export async function waitForJobEvent(server: TestServer, jobId: string, type: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  return waitForStreamEvent(server, `job-${jobId}`, type, timeoutMs);
}

export async function waitForStreamEvent(server: TestServer, streamId: string, type: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await streamEvents(server, streamId)).find((event) => event.type === type);
    if (found) return found.data;
    if (Date.now() > deadline) {
      const seen = (await streamEvents(server, streamId)).map((event) => event.type).join(', ');
      throw new Error(`no ${type} in ${streamId} within ${timeoutMs} ms (it has: ${seen || 'nothing'})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A list for the agents a describe block starts: each is stopped after the block's tests, before a server from
 * useTestServer (set up earlier in the block) closes.
 */
export function agentsStoppedAfterAll(): TestAgent[] {
  const agents: TestAgent[] = [];
  afterAll(async () => {
    for (const agent of agents) await agent.client.stop();
  });
  return agents;
}
