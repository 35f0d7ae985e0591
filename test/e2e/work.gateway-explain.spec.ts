import { beforeAll, describe, expect, it } from 'vitest';
import { useWorkOrg } from '../support/work-org.ts';
import type { WorkReply } from '../../domain/agent-protocol/messages.ts';
import { apiKeyId } from '../../domain/agent-protocol/subjects.ts';
import type { TestAgent } from '../support/work-fixtures.ts';
import { apiClient } from './api.client.ts';

describe("an agent's refused request answers alike on the bus and over HTTP: in brief, or in full when asked", () => {
  const work = useWorkOrg({});
  const { server } = work;
  let agent: TestAgent;
  const contractId = '00000000-0000-4000-8000-00000000c0de';

  beforeAll(async () => {
    const api = apiClient(server);
    agent = await work.agent({ name: 'Frozen', handlers: {}, start: false });
    const member = 'size(principal.roles) > 0';
    await api.publishPolicy(work.orgId, [
      { id: 'members-read', effect: 'permit', actions: ['org.read', 'policy.read'], when: member, reason: 'members read the org and its rules' },
      { id: 'members-sign', effect: 'permit', actions: ['contract.sign'], when: member, reason: 'members sign their contracts' },
      { id: 'signing-frozen', effect: 'forbid', actions: ['contract.sign'], reason: 'signing is frozen this week', escalateTo: 'reviewer' },
    ]);
  });

  async function overBus(headers: Record<string, string>): Promise<WorkReply> {
    const subject = `agencygrid.work.${agent.id}.${apiKeyId(agent.key)}.sign`;
    const reply = await server.platform.bus.request(
      subject,
      { data: { orgId: work.orgId, contractId }, headers: { Authorization: `Bearer ${agent.key}`, ...headers } },
      { timeoutMs: 5_000 },
    );
    return reply.data as unknown as WorkReply;
  }
  const overHttp = async (query: string) => (await apiClient(server).post(`/agent/requests/sign${query}`, { orgId: work.orgId, contractId }, agent.key)).json();
  const withoutDecisionId = (details: Record<string, unknown>) => ({ ...details, decisionId: 'any' });

  it('answers the outcome, the rule and whom to escalate to by default', async () => {
    const bus = await overBus({});
    expect(bus.ok).toBe(false);
    if (bus.ok) return;
    expect(bus.error).toEqual({
      code: 'POLICY_DENIED',
      message: 'signing is frozen this week',
      details: {
        decisionId: expect.any(String),
        action: 'contract.sign',
        outcome: 'forbidden',
        reasons: ['signing is frozen this week'],
        determiningRuleIds: ['signing-frozen'],
        escalateTo: 'reviewer',
        policy: { source: 'org', version: 1 },
      },
    });
    const http = await overHttp('');
    expect({ ...http, details: withoutDecisionId(http.details) }).toEqual({ ...bus.error, details: withoutDecisionId(bus.error.details) });
  });

  it('adds every rule evaluation with Explain: full (the bus) or ?explain=full (HTTP)', async () => {
    const bus = await overBus({ Explain: 'full' });
    if (bus.ok) throw new Error('expected a refusal');
    expect((bus.error.details.evaluations as Array<{ ruleId: string }>).map((evaluation) => evaluation.ruleId)).toEqual(
      expect.arrayContaining(['members-read', 'members-sign', 'signing-frozen']),
    );
    const http = await overHttp('?explain=full');
    expect(withoutDecisionId(http.details)).toEqual(withoutDecisionId(bus.error.details));
  });

  it('refuses an Explain header other than summary or full', async () => {
    const bus = await overBus({ Explain: 'everything' });
    expect(bus).toEqual({ ok: false, error: { code: 'INVALID_HEADER', message: expect.any(String), details: { header: 'Explain' } } });
  });
});
