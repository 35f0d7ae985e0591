import { isAppError } from '../../domain/shared/app-error.ts';
import type { Platform } from '../platform.ts';
import { generateApiKey, hashApiKey, operatorKeyId } from './api-key.ts';
import { issueAdminKey } from './issue-admin-key.ts';

export type OperatorKeyOutcome = { kind: 'configured-key-registered' | 'configured-key-present' };
export type GeneratedKeyOutcome = { kind: 'admin-exists' } | { kind: 'generated'; key: string } | { kind: 'no-admin'; reason: string };
export type BootstrapOutcome = OperatorKeyOutcome | GeneratedKeyOutcome;

/**
 * Makes sure someone can administer the platform: the operator's key when one is configured, otherwise a generated
 * one. `serve` calls the two halves at different moments (see bin/serve/start.ts); in-process servers call this.
 */
export async function bootstrapAdminKey(platform: Platform, configuredKey: string | undefined): Promise<BootstrapOutcome> {
  return configuredKey ? registerOperatorKey(platform, configuredKey) : issueBootstrapKey(platform);
}

/**
 * Registers an operator key from the environment once, by hash under a random id. Not a one-time secret: registering
 * it consumes nothing, so it may happen before the server listens.
 */
export async function registerOperatorKey(platform: Platform, configuredKey: string): Promise<OperatorKeyOutcome> {
  const keyHash = hashApiKey(configuredKey);
  // Known by hash, active or revoked: a revoked operator key stays revoked across restarts.
  if (platform.apiKeys.knowsHash(keyHash)) return { kind: 'configured-key-present' };
  const keyId = operatorKeyId();
  const result = await issueAdminKey(platform.pipeline, {
    keyId,
    keyHash,
    label: 'operator key (AGENCYGRID_ADMIN_KEY)',
    commandId: `bootstrap-admin-key:${keyId}`,
  });
  if (isAppError(result)) return { kind: 'configured-key-present' };
  if (result.position !== null) await platform.apiKeys.waitFor(result.position);
  return { kind: 'configured-key-registered' };
}

/**
 * On a store with no active admin key, generates one to be shown exactly once. The secret exists only in this
 * process until it is printed, so call this only once the server listens: a start that fails before then must not
 * use it up.
 */
export async function issueBootstrapKey(platform: Platform): Promise<GeneratedKeyOutcome> {
  if (platform.apiKeys.hasActiveAdminKey()) return { kind: 'admin-exists' };
  const generated = generateApiKey();
  // One stream and one command id for every instance: of two starting on the same store, one key is stored, and
  // only the instance whose key it is prints it.
  const result = await issueAdminKey(platform.pipeline, {
    keyId: 'bootstrap',
    keyHash: generated.keyHash,
    label: 'bootstrap admin key',
    commandId: 'bootstrap-admin-key:bootstrap',
  });
  if (!isAppError(result)) {
    // Usable as soon as it is printed.
    if (result.position !== null) await platform.apiKeys.waitFor(result.position);
    return { kind: 'generated', key: generated.key };
  }
  // The command id is taken: another instance stored its own key (IDEMPOTENCY_KEY_REUSED), or a bootstrap key was
  // issued before and revoked since.
  await platform.apiKeys.waitFor(await platform.store.headPosition());
  if (platform.apiKeys.hasActiveAdminKey()) return { kind: 'admin-exists' };
  return {
    kind: 'no-admin',
    reason: 'the bootstrap key was issued before and revoked; issue a new admin key with `agencygrid admin-key` or set AGENCYGRID_ADMIN_KEY',
  };
}
