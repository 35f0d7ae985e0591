import { describe, expect, it } from 'vitest';
import { ConfigError, inputLimitsOf, loadConfig } from '../../infra/config/env.ts';

describe('the input limits and /metrics access as settings', () => {
  it('defaults: nesting 64, strings 65,536, keys 256, commands 1 MiB, /metrics behind a key', () => {
    const config = loadConfig({});
    expect(inputLimitsOf(config)).toEqual({ maxDepth: 64, maxStringLength: 65_536, maxKeyLength: 256, maxBytes: 1_048_576 });
    expect(config.METRICS_PUBLIC).toBe(false);
  });

  it('reads them from the environment', () => {
    const config = loadConfig({
      JSON_MAX_DEPTH: '32',
      INPUT_MAX_STRING_LENGTH: '4096',
      INPUT_MAX_KEY_LENGTH: '64',
      COMMAND_MAX_BYTES: '262144',
      METRICS_PUBLIC: 'true',
    });
    expect(inputLimitsOf(config)).toEqual({ maxDepth: 32, maxStringLength: 4096, maxKeyLength: 64, maxBytes: 262_144 });
    expect(config.METRICS_PUBLIC).toBe(true);
  });

  it('refuses values that would disable a limit or cannot be read', () => {
    expect(() => loadConfig({ JSON_MAX_DEPTH: '100000' })).toThrow(ConfigError);
    expect(() => loadConfig({ COMMAND_MAX_BYTES: '0' })).toThrow(/COMMAND_MAX_BYTES/);
    expect(() => loadConfig({ METRICS_PUBLIC: 'perhaps' })).toThrow(/METRICS_PUBLIC/);
  });
});
