import { credentialCommandSchema, type CredentialCommand } from '../../domain/credential/commands.ts';
import { apiKeyDecider, type ApiKeyState } from '../../domain/credential/decider.ts';
import { apiKeyStream, type CredentialEvent } from '../../domain/credential/events.ts';
import type { DecisionContext } from '../../domain/shared/decider.ts';
import type { AggregateDefinition } from '../aggregate.ts';

export const apiKeyAggregate: AggregateDefinition<CredentialCommand, ApiKeyState, CredentialEvent, DecisionContext> = {
  name: 'apikey',
  commandSchema: credentialCommandSchema,
  decider: apiKeyDecider,
  streamOf: (command) => apiKeyStream(command.data.keyId),
  orgIdOf: () => null,
  actionOf: (command) => (command.type === 'IssueApiKey' ? 'platform.apikey.issue' : 'platform.apikey.revoke'),
  actions: ['platform.apikey.issue', 'platform.apikey.revoke'],
  loadContext: async (_command, _reader, base) => base,
};
