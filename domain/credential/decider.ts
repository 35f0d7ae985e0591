import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext, Decider } from '../shared/decider.ts';
import type { Principal } from '../shared/principal.ts';
import type { CredentialCommand } from './commands.ts';
import type { CredentialEvent } from './events.ts';

export type ApiKeyState = null | { keyId: string; principal: Principal; status: 'active' | 'revoked' };

export interface CredentialDecisionContext extends DecisionContext {
  /**
   * The subject a key is issued to, read from its stream when the key's principal is a subject: null when it does
   * not exist; absent for platform keys.
   */
  subject?: { status: 'active' | 'suspended' } | null;
}

function decide(command: CredentialCommand, state: ApiKeyState, context: CredentialDecisionContext): readonly CredentialEvent[] | AppError {
  switch (command.type) {
    case 'IssueApiKey': {
      const { keyId, principal } = command.data;
      if (state !== null) return appError('conflict', 'API_KEY_EXISTS', `API key ${keyId} already exists`, { keyId });
      if (principal.kind === 'subject') {
        if (!context.subject) return appError('not_found', 'SUBJECT_NOT_FOUND', `subject ${principal.id} does not exist`, { subjectId: principal.id });
        if (context.subject.status !== 'active') {
          return appError('conflict', 'SUBJECT_SUSPENDED', `subject ${principal.id} is suspended; it gets no new keys`, { subjectId: principal.id });
        }
      }
      return [{ type: 'ApiKeyIssued', data: command.data }];
    }
    case 'RevokeApiKey': {
      const { keyId, subjectId, reason } = command.data;
      // A key that is not the named subject's is, for that subject, a key that does not exist.
      if (state === null || (subjectId !== undefined && (state.principal.kind !== 'subject' || state.principal.id !== subjectId))) {
        const whose = subjectId === undefined ? '' : ` for subject ${subjectId}`;
        return appError('not_found', 'API_KEY_NOT_FOUND', `API key ${keyId} does not exist${whose}`, {
          keyId,
          ...(subjectId === undefined ? {} : { subjectId }),
        });
      }
      if (state.status === 'revoked') return [];
      return [{ type: 'ApiKeyRevoked', data: { keyId, reason } }];
    }
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

export const apiKeyDecider: Decider<CredentialCommand, ApiKeyState, CredentialEvent, CredentialDecisionContext> = {
  initialState: null,
  evolve,
  decide,
};
