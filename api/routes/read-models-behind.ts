import { appError, type AppError } from '../../domain/shared/app-error.ts';
import type { Platform } from '../platform.ts';

/** How long a read waits for its read models to reach the head of the log (read-your-writes). */
export const READ_YOUR_WRITES_MS = 5000;

/**
 * Read-your-writes for the REST reads of read models: waits (briefly) until each projection has applied the head of
 * the log, so what was just done reads as done; 503 READ_MODEL_BEHIND rather than stale data otherwise.
 */
export async function readModelsBehind(platform: Platform, projections: readonly string[]): Promise<AppError | null> {
  const head = await platform.store.headPosition();
  for (const projection of projections) {
    if (!(await platform.projections.waitFor(head, READ_YOUR_WRITES_MS, projection))) {
      return appError('unavailable', 'READ_MODEL_BEHIND', `the ${projection} read model has not caught up with the log yet; retry shortly`, {
        position: head.toString(),
        readModel: projection,
      });
    }
  }
  return null;
}
