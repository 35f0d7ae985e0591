import type { StreamReader } from '../../commands/stream-loader.ts';
import { workSettingsOf, type WorkSettings } from '../../domain/assignment/work-settings.ts';
import { orgDecider, orgStream } from '../../domain/org/decider.ts';

/** The org's work settings as they are now (its metadata; the defaults for an org that does not exist). */
export async function orgWorkSettings(reader: StreamReader, orgId: string): Promise<WorkSettings> {
  const org = (await reader.load(orgDecider, orgStream(orgId))).state;
  return workSettingsOf(org?.metadata ?? {});
}
