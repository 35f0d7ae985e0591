import { describe, expect, it } from 'vitest';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { policyAggregate } from '../../commands/handlers/policy.ts';
import { runAgentCommand } from '../../api/agent-gateway/agent-commands.ts';
import { admin, commandId, pipelineOn, tempStore } from '../support/pipeline.ts';

const orgId = '11111111-1111-4111-8111-111111111111';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = { a: value };
  return value;
}

describe('the pipeline holds every command to the input limits, before its schema', () => {
  it.each([
    ['a lone surrogate in a name', { type: 'RegisterOrg', data: { orgId, name: 'Org \ud800', slug: 'ok' } }, ['name']],
    ['U+0000 in a description', { type: 'RegisterOrg', data: { orgId, name: 'Org', slug: 'ok', description: 'a\u0000b' } }, ['description']],
    [
      'a lone surrogate in a metadata key',
      { type: 'RegisterOrg', data: { orgId, name: 'Org', slug: 'ok', metadata: { '\udfff': 'v' } } },
      ['metadata', '(key)'],
    ],
    [
      'a string past INPUT_MAX_STRING_LENGTH',
      { type: 'RegisterOrg', data: { orgId, name: 'Org', slug: 'ok', description: 'x'.repeat(65_537) } },
      ['description'],
    ],
  ])('refuses %s with VALIDATION_FAILED naming the field, and appends nothing', async (_name, command, path) => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const result = await pipeline.execute(orgAggregate, command, { commandId: commandId(), principal: admin });
    expect(result).toMatchObject({ kind: 'invalid', code: 'VALIDATION_FAILED', details: { issues: [{ path }] } });
    expect(await store.headPosition()).toBe(0n);
  });

  it('refuses policy rules nested 100,000 levels without exhausting the stack (the schema takes rules as unknown)', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const result = await pipeline.execute(
      policyAggregate,
      { type: 'DraftPolicy', data: { orgId, rules: nested(100_000) } },
      { commandId: commandId(), principal: admin },
    );
    expect(result).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ message: expect.stringContaining('nest at most 64 levels') }] } });
  });

  it('takes its limits from the options (the settings), and counts the body from the command data', async () => {
    const { pipeline } = pipelineOn(tempStore(), {});
    const strict = pipelineOn(tempStore(), { inputLimits: { maxDepth: 2, maxStringLength: 40, maxKeyLength: 10, maxBytes: 10_000 } }).pipeline;
    const command = { type: 'RegisterOrg', data: { orgId, name: 'A name longer than forty characters, refused', slug: 'ok', metadata: { k: 'v' } } };
    expect(await strict.execute(orgAggregate, command, { commandId: commandId(), principal: admin })).toMatchObject({
      details: { issues: [{ path: ['name'] }] },
    });
    expect(await pipeline.execute(orgAggregate, command, { commandId: commandId(), principal: admin })).toMatchObject({ streamId: `org-${orgId}` });
  });

  it("refuses an agent's request nested 100,000 levels before its schema (the bus has no body parser to cap it)", async () => {
    const { pipeline, loader } = pipelineOn(tempStore());
    const payload = { orgId, jobId: orgId, parentTaskId: orgId, contractId: null, key: 'k', title: 'Deep', input: nested(100_000) };
    const result = await runAgentCommand(pipeline, {
      kind: 'subtask',
      payload,
      principal: { id: '22222222-2222-4222-8222-222222222222', kind: 'subject' },
      reader: loader,
    });
    expect(result).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: expect.arrayContaining(['input']) }] } });
  });
});
