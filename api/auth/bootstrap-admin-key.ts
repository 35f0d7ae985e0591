import { isAppError } from '../../domain/shared/app-error.ts';
import { systemPrincipal } from '../../domain/shared/principal.ts';
import { apiKeyAggregate } from '../../commands/handlers/credential.ts';
import type { Platform } from '../platform.ts';
import { generateApiKey, hashApiKey, operatorKeyId } from './api-key.ts';

export type BootstrapOutcome =
  | { kind: 'configured-key-registered' | 'configured-key-present' | 'admin-exists' }
  | { kind: 'generated'; key: string }
  | { kind: 'no-admin'; reason: string };

/**
 * Makes sure someone can administer the platform. An operator key from the environment is registered once (by a
 * stable id); otherwise, on a store with no admin key, one key is generated and returned to be shown exactly once.
 * The issuing goes through the command pipeline as the system principal, like any other change.
 */
export async function bootstrapAdminKey(platform: Platform, configuredKey: string | undefined): Promise<BootstrapOutcome> {
  if (configuredKey) {
    // Known by hash, active or revoked: a revoked operator key stays revoked across restarts.
    if (platform.apiKeys.knowsHash(hashApiKey(configuredKey))) return { kind: 'configured-key-present' };
    const result = await issue(platform, operatorKeyId(), hashApiKey(configuredKey), 'operator key (AGENCYGRID_ADMIN_KEY)');
    return isAppError(result) ? { kind: 'configured-key-present' } : { kind: 'configured-key-registered' };
  }
  if (platform.apiKeys.hasActiveAdminKey()) return { kind: 'admin-exists' };
  const generated = generateApiKey();
  const result = await issue(platform, 'bootstrap', generated.keyHash, 'bootstrap admin key');
  if (isAppError(result)) {
    return { kind: 'no-admin', reason: 'the bootstrap key was issued before and revoked; set AGENCYGRID_ADMIN_KEY to register a new admin key' };
  }
  return { kind: 'generated', key: generated.key };
}

async function issue(platform: Platform, keyId: string, keyHash: string, label: string) {
  const result = await platform.pipeline.execute(
    apiKeyAggregate,
    { type: 'IssueApiKey', data: { keyId, keyHash, principal: { id: `admin:${keyId}`, kind: 'admin' }, label } },
    { commandId: `bootstrap-admin-key:${keyId}`, principal: systemPrincipal },
  );
  if (!isAppError(result) && result.position !== null) await platform.apiKeys.waitFor(result.position);
  return result;
}
