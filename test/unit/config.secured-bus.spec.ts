import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config/env.ts';

describe('configuration of a secured bus', () => {
  const secured = {
    NATS_URL: 'nats://nats:4222',
    NATS_CREDS_FILE: '/run/secrets/platform.creds',
    NATS_AGENT_ISSUER_SEED_FILE: '/run/secrets/agents-account.nk',
  };

  it('takes the platform creds and the agent issuer seed together, with a 10-minute credential lifetime by default', () => {
    expect(loadConfig(secured)).toMatchObject({ ...secured, NATS_AGENT_CREDENTIALS_TTL_MS: 600_000 });
    expect(loadConfig({}).NATS_CREDS_FILE).toBeUndefined();
  });

  it('refuses half a setup: the gateway would trust request subjects that no server permission protects', () => {
    expect(() => loadConfig({ NATS_URL: secured.NATS_URL, NATS_CREDS_FILE: secured.NATS_CREDS_FILE })).toThrow(
      /NATS_CREDS_FILE: set NATS_CREDS_FILE and NATS_AGENT_ISSUER_SEED_FILE together/,
    );
    expect(() => loadConfig({ NATS_URL: secured.NATS_URL, NATS_AGENT_ISSUER_SEED_FILE: secured.NATS_AGENT_ISSUER_SEED_FILE })).toThrow(ConfigError);
    expect(() => loadConfig({ NATS_CREDS_FILE: secured.NATS_CREDS_FILE, NATS_AGENT_ISSUER_SEED_FILE: secured.NATS_AGENT_ISSUER_SEED_FILE })).toThrow(
      /NATS_URL: NATS_CREDS_FILE needs NATS_URL/,
    );
  });

  it('bounds the credential lifetime', () => {
    expect(() => loadConfig({ ...secured, NATS_AGENT_CREDENTIALS_TTL_MS: '1000' })).toThrow(/NATS_AGENT_CREDENTIALS_TTL_MS/);
    expect(() => loadConfig({ ...secured, NATS_AGENT_CREDENTIALS_TTL_MS: String(2 * 86_400_000) })).toThrow(/NATS_AGENT_CREDENTIALS_TTL_MS/);
    expect(loadConfig({ ...secured, NATS_AGENT_CREDENTIALS_TTL_MS: '60000' }).NATS_AGENT_CREDENTIALS_TTL_MS).toBe(60_000);
  });
});
