import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Puts a finished file in place so that a crash leaves either no file or the whole file under `to`: the content is
 * flushed before the rename, and the directory after it.
 */
export async function renameDurably(from: string, to: string): Promise<void> {
  await syncPath(from, 'r+');
  await rename(from, to);
  await syncPath(dirname(to), 'r').catch(() => {
    // Some platforms cannot open a directory for syncing: the rename is then as durable as it gets there.
  });
}

async function syncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
