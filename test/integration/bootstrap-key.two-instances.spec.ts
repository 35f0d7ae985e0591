import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../api/auth/api-key.ts';
import { issueBootstrapKey } from '../../api/auth/bootstrap-admin-key.ts';
import type { Platform } from '../../api/platform.ts';
import { startPlatform } from '../../bin/platform/start-platform.ts';
import { loadConfig } from '../../infra/config/env.ts';
import { tempStore, tempStorePath } from '../support/pipeline.ts';

/**
 * Two servers started together on one data directory (two processes on one SQLite file, here two platforms on two
 * connections): one bootstrap key is stored, and only the instance whose key it is prints one.
 */
describe('the bootstrap key with two instances on one store', () => {
  const platforms: Platform[] = [];
  const paths: string[] = [];
  afterEach(async () => {
    for (const platform of platforms.splice(0)) await platform.close();
    for (const path of paths.splice(0)) rmSync(dirname(path), { recursive: true, force: true });
  });

  const start = async (path: string) => {
    const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dirname(path) });
    const platform = await startPlatform(config, tempStore(path), pino({ level: 'silent' }));
    platforms.push(platform);
    return platform;
  };

  it('issues one key: the other instance reports an existing admin and shows no key', async () => {
    const path = tempStorePath();
    paths.push(path);
    const [first, second] = [await start(path), await start(path)];
    const outcomes = await Promise.all([issueBootstrapKey(first), issueBootstrapKey(second)]);

    const generated = outcomes.filter((outcome) => outcome.kind === 'generated');
    expect(generated).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'admin-exists')).toHaveLength(1);
    const key = generated[0]?.kind === 'generated' ? generated[0].key : '';
    // The printed key is the stored one, on both instances.
    for (const platform of [first, second]) {
      await platform.apiKeys.waitFor(await platform.store.headPosition());
      expect(platform.apiKeys.principalFor(hashApiKey(key))).toMatchObject({ kind: 'admin', id: 'admin:bootstrap' });
    }
  });

  it('a later start finds the admin key and generates none', async () => {
    const path = tempStorePath();
    paths.push(path);
    expect((await issueBootstrapKey(await start(path))).kind).toBe('generated');
    expect(await issueBootstrapKey(await start(path))).toEqual({ kind: 'admin-exists' });
  });
});
