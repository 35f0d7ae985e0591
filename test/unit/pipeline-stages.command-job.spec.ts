import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AggregateDefinition } from '../../commands/aggregate.ts';
import { commandJob } from '../../commands/stages/command-job.ts';
import type { DecisionContext, DomainEvent } from '../../domain/shared/decider.ts';

type Rename = { type: 'Rename'; data: { orgId: string; name: string } };
const definition: AggregateDefinition<Rename, null, DomainEvent, DecisionContext> = {
  name: 'org',
  commandSchema: z.object({ type: z.literal('Rename'), data: z.object({ orgId: z.string(), name: z.string() }) }),
  decider: { initialState: null, evolve: (state) => state, decide: () => [] },
  streamOf: (command) => `org-${command.data.orgId}`,
  orgIdOf: (command) => command.data.orgId,
  actionOf: () => 'org.rename',
  actions: ['org.rename'],
  loadContext: async (_command, _reader, base) => base,
};
const principal = { id: 'admin:a', kind: 'admin' as const };
const command: Rename = { type: 'Rename', data: { orgId: 'o1', name: 'x' } };

describe("a command's job: what every stage knows about it", () => {
  it('a command from outside starts its own correlation and causes itself', () => {
    const job = commandJob(definition, command, { commandId: 'c1', principal });
    const at = new Date().toISOString();
    expect(job.streamId).toBe('org-o1');
    expect(job.stampAt(at)).toEqual({
      commandId: 'c1',
      commandType: 'Rename',
      commandHash: job.hash,
      correlationId: 'c1',
      causationId: 'c1',
      principal,
      orgId: 'o1',
      occurredAt: at,
      decisionId: null,
    });
  });

  it("a saga's command carries the correlation and cause it was given, and the decision that permitted it", () => {
    const job = commandJob(definition, command, { commandId: 'c1', principal, correlationId: 'corr', causationId: 'event-9' });
    expect(job.stampAt(new Date().toISOString(), 'd1')).toMatchObject({ correlationId: 'corr', causationId: 'event-9', decisionId: 'd1' });
  });

  it('the same content hashes the same; other content does not', () => {
    const hash = (data: Rename['data']) => commandJob(definition, { type: 'Rename', data }, { commandId: 'c1', principal }).hash;
    expect(hash({ orgId: 'o1', name: 'x' })).toBe(hash({ orgId: 'o1', name: 'x' }));
    expect(hash({ orgId: 'o1', name: 'y' })).not.toBe(hash({ orgId: 'o1', name: 'x' }));
  });
});
