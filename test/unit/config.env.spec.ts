import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config/env.ts';

describe('configuration from the environment', () => {
  it('defaults to embedded adapters with data under ./data', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 8080, HOST: '127.0.0.1', DATA_DIR: './data', SQLITE_SYNCHRONOUS: 'FULL' });
    expect(config.EVENTSTORE_URL).toBeUndefined();
    expect(config.dataDir.endsWith('/data')).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ EVENTSTORE_URL: '', PORT: '' }).PORT).toBe(8080);
  });

  it('stops with one clear message naming every bad value', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', EVENTSTORE_URL: 'http://x:2113', AGENCYGRID_ADMIN_KEY: 'short' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^invalid configuration: [^\n]+$/);
    expect(attempt).toThrow(/PORT: /);
    expect(attempt).toThrow(/EVENTSTORE_URL: must start with esdb:\/\//);
    expect(attempt).toThrow(/AGENCYGRID_ADMIN_KEY: must be at least 32 characters/);
  });

  it('accepts server URLs for every adapter', () => {
    const config = loadConfig({
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      MONGODB_URL: 'mongodb://localhost:27017/agencygrid',
      REDIS_URL: 'redis://localhost:6379',
      NATS_URL: 'nats://localhost:4222',
    });
    expect(config.EVENTSTORE_URL).toBe('esdb://localhost:2113?tls=false');
  });
});
