import { credentialCommandSchema, type CredentialCommand } from '../../domain/credential/commands.ts';
import { apiKeyDecider } from '../../domain/credential/decider.ts';
import { apiKeyStream } from '../../domain/credential/events.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import { defineAggregate } from '../aggregate.ts';

/**
 * API keys. A key whose principal is a subject is the subject's credential: issuing and revoking it are the
 * governed actions `subject.apikey.issue` / `subject.apikey.revoke` (revoking names the subject, and the decider
 * refuses a key that is not that subject's); platform keys are `platform.apikey.*`.
 */
function actionOf(command: CredentialCommand): string {
  if (command.type === 'IssueApiKey') return command.data.principal.kind === 'subject' ? 'subject.apikey.issue' : 'platform.apikey.issue';
  return command.data.subjectId === undefined ? 'platform.apikey.revoke' : 'subject.apikey.revoke';
}

export const apiKeyAggregate = defineAggregate({
  name: 'apikey',
  commandSchema: credentialCommandSchema,
  decider: apiKeyDecider,
  streamOf: (command) => apiKeyStream(command.data.keyId),
  orgIdOf: () => null,
  actionOf,
  actions: ['platform.apikey.issue', 'platform.apikey.revoke', 'subject.apikey.issue', 'subject.apikey.revoke'],
  async loadContext(command, reader, base) {
    if (command.type !== 'IssueApiKey' || command.data.principal.kind !== 'subject') return base;
    const subject = await reader.load(subjectDecider, subjectStream(command.data.principal.id));
    return { ...base, subject: subject.state === null ? null : { status: subject.state.status } };
  },
});
