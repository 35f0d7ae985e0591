import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config/env.ts';

describe('HOST', () => {
  it('takes IP addresses and host names', () => {
    for (const host of ['127.0.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'localhost', 'api.internal', 'my-host.example.com', 'node-1']) {
      expect(loadConfig({ HOST: host }).HOST, host).toBe(host);
    }
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
  });

  it('refuses what is neither, naming HOST and the value', () => {
    for (const host of [
      '999.1.1.1',
      '1.2.3',
      '256.0.0.1',
      '[::1]',
      'a..b',
      '-lead',
      'trail-',
      'under_score',
      'sp ace',
      'http://localhost',
      `${'a'.repeat(64)}.com`,
    ]) {
      const attempt = () => loadConfig({ HOST: host });
      expect(attempt, host).toThrow(ConfigError);
      expect(attempt, host).toThrow(`HOST: '${host}' is neither an IP address`);
    }
  });
});
