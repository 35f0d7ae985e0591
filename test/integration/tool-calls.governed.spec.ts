import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { contractAggregate } from '../../commands/handlers/contract.ts';
import { contractedTaskAggregate } from '../../commands/handlers/contracted-task.ts';
import { createToolCallAggregate } from '../../commands/handlers/tool-call.ts';
import { toolAggregate } from '../../commands/handlers/tool.ts';
import { knownActions } from '../../commands/known-actions.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { contractDecider, contractStream } from '../../domain/contract/decider.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { asSubject, ok, refused } from '../support/governance-fixtures.ts';
import { governedStore } from '../support/governed-store.ts';
import { admin, commandId } from '../support/pipeline.ts';
import { callTool, echoTool, registerTool } from '../support/tool-calls.ts';

describe('tool calls under the org policy and the caller’s contract', () => {
  const { pipeline, loader, g } = governedStore();
  const aggregate = createToolCallAggregate();
  let orgId: string;
  let agent: Principal;
  let taskId: string;
  let contractId: string;

  beforeAll(async () => {
    orgId = await g.registerOrg('tool-lab');
    ok(await g.run(toolAggregate, { type: 'RegisterTool', data: { orgId, spec: echoTool('text.echo') } }));
    await registerTool(pipeline, orgId, echoTool('text.shout'));
    const agentId = await g.registerSubject('Scribe');
    agent = asSubject(agentId);
    ok(await g.defineRole(orgId, { name: 'worker' }));
    ok(await g.grant(orgId, agentId, 'worker'));
    await g.publishPolicy(orgId, [
      { id: 'workers-call-tools', effect: 'permit', roles: ['worker'], actions: ['tool.invoke', 'contract.sign'], reason: 'workers use the tools' },
      {
        id: 'no-secrets-out',
        effect: 'forbid',
        actions: ['tool.invoke'],
        when: 'command.data.toolName == "text.echo" && command.data.input.text == "secret"',
        reason: 'secrets are not echoed',
      },
    ]);
    contractId = randomUUID();
    const ref = { contractId, orgId };
    const draft = { ...ref, jobId: randomUUID(), assigneeSubjectId: agentId, permittedActions: ['task.*'], permittedTools: ['text.echo'] };
    ok(await g.run(contractAggregate, { type: 'DraftContract', data: draft }));
    ok(await g.run(contractAggregate, { type: 'SignContract', data: { ...ref, party: 'org' } }));
    ok(await g.run(contractAggregate, { type: 'SignContract', data: { ...ref, party: 'assignee' } }, agent));
    taskId = randomUUID();
    const task = { taskId, orgId, jobId: draft.jobId, contractId, title: 'Echo things', assigneeSubjectId: agentId };
    ok(await g.run(contractedTaskAggregate, { type: 'CreateTask', data: task }));
    ok(await g.run(contractedTaskAggregate, { type: 'DispatchTask', data: { taskId, orgId, attempt: 1 } }));
  });

  it('names the tool actions among the known actions, so policies may name them', () => {
    expect(knownActions()).toEqual(expect.arrayContaining(['tool.register', 'tool.update', 'tool.retire', 'tool.invoke', 'tool.read']));
  });

  it("lets the policy's conditions read the tool and its input", async () => {
    const denied = refused((await callTool(pipeline, aggregate, { orgId, toolName: 'text.echo', input: { text: 'secret' }, taskId }, agent)).result);
    expect(denied).toMatchObject({ code: 'POLICY_DENIED', details: { determiningRuleIds: ['no-secrets-out'] } });
    const permitted = ok((await callTool(pipeline, aggregate, { orgId, toolName: 'text.echo', input: { text: 'public' }, taskId }, agent)).result);
    expect(permitted.events.find((event) => event.type === 'ToolCallRequested')?.data).toMatchObject({ taskId, contractId, requestedBy: agent });
  });

  it('refuses a tool outside the contract and records the breach on the contract', async () => {
    const { result } = await callTool(pipeline, aggregate, { orgId, toolName: 'text.shout', input: { text: 'hi' }, taskId }, agent);
    expect(refused(result)).toMatchObject({ code: 'CONTRACT_VIOLATION', details: { contractId, clause: 'permittedTools', tool: 'text.shout' } });
    const contract = (await loader.load(contractDecider, contractStream(contractId))).state;
    expect(contract?.breaches).toEqual([expect.objectContaining({ kind: 'forbidden_action', clause: 'permittedTools' })]);
    expect(contract?.breaches[0]?.details).toContain('text.shout');
  });

  it('holds the org to its rate, counting only the calls made', async () => {
    const limited = await g.registerOrg('rate-lab');
    await registerTool(pipeline, limited, echoTool('text.echo'));
    ok(await g.run(orgAggregate, { type: 'UpdateOrgMetadata', data: { orgId: limited, metadata: { 'tools.maxCallsPerMinute': '2' } } }));
    const rated = createToolCallAggregate();
    const call = (text: string | number) => callTool(pipeline, rated, { orgId: limited, toolName: 'text.echo', input: { text } });
    refused((await call(7)).result); // bad input: not counted
    ok((await call('one')).result);
    ok((await call('two')).result);
    expect(refused((await call('three')).result)).toMatchObject({ kind: 'rate_limited', code: 'TOOL_RATE_EXCEEDED', details: { maxPerMinute: 2 } });
  });

  it('holds the rate exactly when an org calls many times at once', async () => {
    const busy = await g.registerOrg('busy-lab');
    await registerTool(pipeline, busy, echoTool('text.echo'));
    ok(await g.run(orgAggregate, { type: 'UpdateOrgMetadata', data: { orgId: busy, metadata: { 'tools.maxCallsPerMinute': '3' } } }));
    const rated = createToolCallAggregate();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) => callTool(pipeline, rated, { orgId: busy, toolName: 'text.echo', input: { text: `call ${index}` } })),
    );
    const codes = results.map(({ result }) => ('code' in result ? result.code : 'made'));
    expect(codes.filter((code) => code === 'made')).toHaveLength(3);
    expect(codes.filter((code) => code === 'TOOL_RATE_EXCEEDED')).toHaveLength(9);
  });

  it('refuses a registration whose schema is not a JSON Schema, naming the field', async () => {
    const bad = { ...echoTool('text.bad'), inputSchema: { type: 'object', properties: { text: { type: 'txt' } } } };
    const result = await pipeline.execute(toolAggregate, { type: 'RegisterTool', data: { orgId, spec: bad } }, { commandId: commandId(), principal: admin });
    expect(refused(result)).toMatchObject({ kind: 'invalid', code: 'VALIDATION_FAILED' });
    expect(JSON.stringify(refused(result).details)).toContain('inputSchema');
  });
});
