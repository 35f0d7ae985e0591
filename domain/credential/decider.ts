import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext, Decider } from '../shared/decider.ts';
import type { Principal } from '../shared/principal.ts';
import type { CredentialCommand } from './commands.ts';
import type { CredentialEvent } from './events.ts';

export type ApiKeyState = null | { keyId: string; principal: Principal; status: 'active' | 'revoked' };

function decide(command: CredentialCommand, state: ApiKeyState, _context: DecisionContext): readonly CredentialEvent[] | AppError {
  switch (command.type) {
    case 'IssueApiKey':
      if (state !== null) return appError('conflict', 'API_KEY_EXISTS', `API key ${command.data.keyId} already exists`, { keyId: command.data.keyId });
      return [{ type: 'ApiKeyIssued', data: command.data }];
    case 'RevokeApiKey':
      if (state === null) return appError('not_found', 'API_KEY_NOT_FOUND', `API key ${command.data.keyId} does not exist`, { keyId: command.data.keyId });
      if (state.status === 'revoked') return [];
      return [{ type: 'ApiKeyRevoked', data: command.data }];
  }
}

function evolve(state: ApiKeyState, event: CredentialEvent): ApiKeyState {
  switch (event.type) {
    case 'ApiKeyIssued':
      return { keyId: event.data.keyId, principal: event.data.principal, status: 'active' };
    case 'ApiKeyRevoked':
      return state && { ...state, status: 'revoked' };
  }
}

export const apiKeyDecider: Decider<CredentialCommand, ApiKeyState, CredentialEvent, DecisionContext> = {
  initialState: null,
  evolve,
  decide,
};
