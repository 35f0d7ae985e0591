import type { EventRegistry } from '../domain/events/registry.ts';
import { builtinPolicyStream } from '../domain/policy/builtin-events.ts';
import { hashPolicyRules } from '../domain/policy/hash.ts';
import { defaultOrgPolicy, platformPolicy } from '../domain/policy/platform-policy.ts';
import type { PolicyRule } from '../domain/policy/types.ts';
import { systemPrincipal } from '../domain/shared/principal.ts';
import { WrongExpectedVersionError } from '../infra/eventstore/errors.ts';
import type { EventStore } from '../infra/eventstore/port.ts';
import { envelopEvent } from './event-envelope.ts';

/**
 * Writes the built-in rule sets this code runs with into the log, once per distinct content (the stream is named
 * after the hash and created with `no_stream`), so that audit replay can find the rules behind any recorded hash
 * after the code has changed them. Idempotent; runs at start.
 */
export async function recordBuiltinPolicies(store: EventStore, registry: EventRegistry, now = new Date()): Promise<void> {
  const sets: Array<['platform' | 'default-org', readonly PolicyRule[]]> = [
    ['platform', platformPolicy],
    ['default-org', defaultOrgPolicy],
  ];
  for (const [kind, rules] of sets) {
    const hash = hashPolicyRules(rules);
    const streamId = builtinPolicyStream(kind, hash);
    const commandId = `record-builtin-policy:${kind}:${hash}`;
    const event = envelopEvent(registry, { type: 'BuiltinPolicyRecorded', data: { kind, hash, rules: [...rules] } }, streamId, 0, {
      commandId,
      commandType: 'RecordBuiltinPolicy',
      commandHash: hash,
      correlationId: commandId,
      causationId: commandId,
      principal: systemPrincipal,
      orgId: null,
      occurredAt: now.toISOString(),
      decisionId: null,
    });
    try {
      await store.appendToStream(streamId, [event], { expectedRevision: 'no_stream' });
    } catch (error) {
      // Recorded by an earlier start (or by another instance just now): nothing to do.
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
  }
}
