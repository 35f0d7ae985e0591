import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreBackup } from '../../bin/backup/restore-backup.ts';
import { takeBackup } from '../../bin/backup/take-backup.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { removeTempDirs, seedStore, tempDir } from '../support/backup-fixtures.ts';

afterEach(removeTempDirs);

/**
 * A backup written by a later AgencyGrid may hold event types, or versions of them, that this one cannot read (the
 * rollback case): every projection would stop on the first such event. The restore says so up front and writes
 * nothing; older versions, which the registry upcasts, restore.
 */
describe('restore and event schema versions', () => {
  it('refuses a log with an event type this version does not know or a version newer than it reads', async () => {
    const dataDir = tempDir('versions-source');
    await seedStore(dataDir, {
      extra: [{ type: 'OrgRegistered', schemaVersion: 3 }, { type: 'QuantumLeapRecorded', schemaVersion: 1 }, { type: 'OrgSuspended' }],
    });
    const file = join(tempDir('versions-backups'), 'later.backup');
    const backup = await takeBackup({ dataDir, file });
    expect(isAppError(backup)).toBe(false);

    const target = join(tempDir('versions-target'), 'data');
    const refused = await restoreBackup({ file, dataDir: target });
    expect(isAppError(refused) && refused.code).toBe('EVENTS_UNREADABLE');
    expect(isAppError(refused) && refused.details).toEqual({
      types: [
        { type: 'OrgRegistered', stored: 3, supported: 2 },
        { type: 'QuantumLeapRecorded', stored: 1, supported: null },
      ],
    });
    expect(existsSync(target)).toBe(false);
  });

  it('restores a log holding older versions that the registry upcasts (OrgRegistered v1, DecisionRecorded v1)', async () => {
    const dataDir = tempDir('versions-source');
    await seedStore(dataDir, {
      extra: [{ type: 'OrgRegistered', schemaVersion: 1 }, { type: 'DecisionRecorded', schemaVersion: 1 }, { type: 'OrgRegistered' }],
    });
    const file = join(tempDir('versions-backups'), 'older.backup');
    expect(isAppError(await takeBackup({ dataDir, file }))).toBe(false);
    const restored = await restoreBackup({ file, dataDir: join(tempDir('versions-target'), 'data') });
    expect(isAppError(restored) ? restored.code : restored.manifest.log.eventTypes).toMatchObject({ OrgRegistered: 1, DecisionRecorded: 2 });
  });
});
