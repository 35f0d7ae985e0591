import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where a follower of `$all` keeps the position it has finished with, by name. Never in the event store itself: a
 * checkpoint event would be one more event in `$all`, which the follower would then follow (and, for the NATS
 * fan-out, publish), forever.
 *
 * The durable implementations: a file per checkpoint under DATA_DIR (below; the NATS fan-out's) and documents beside
 * the read models (`document-checkpoint-store.ts`; the sagas'). Projections keep theirs with their read models.
 */
export interface CheckpointStore {
  /** The last saved position, or undefined when none was ever saved. */
  load(name: string): Promise<bigint | undefined>;
  /** Durable once it resolves. */
  save(name: string, position: bigint): Promise<void>;
}

/** The directory under DATA_DIR that holds the durable checkpoints (the NATS event fan-out's). */
export const CHECKPOINTS_DIR = 'checkpoints';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUFFIX = '.checkpoint.json';

/** The checkpoints a FileCheckpointStore holds in `dir`, by name (files it did not write are not listed). */
export async function checkpointNames(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.flatMap((entry) => {
    const name = entry.endsWith(SUFFIX) ? entry.slice(0, -SUFFIX.length) : '';
    return NAME.test(name) ? [name] : [];
  });
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

function checkName(name: string): string {
  // The name becomes a file name: never a path.
  if (!NAME.test(name)) throw new CheckpointError(`checkpoint name '${name}' must be 1 to 64 of A-Z a-z 0-9 _ -`);
  return name;
}

/**
 * One JSON file per checkpoint, `<dir>/<name>.checkpoint.json`, replaced atomically: the new content is written to a
 * temporary file in the same directory, flushed to disk, renamed over the old one, and the directory is flushed, so
 * a crash leaves either the old checkpoint or the new one, never a torn file.
 */
export class FileCheckpointStore implements CheckpointStore {
  private ready: Promise<void> | undefined;

  constructor(private readonly dir: string) {}

  private path(name: string): string {
    return join(this.dir, `${checkName(name)}${SUFFIX}`);
  }

  async load(name: string): Promise<bigint | undefined> {
    const path = this.path(name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    // A checkpoint that cannot be read is an error, never "start again": restarting from 0 would republish the log.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new CheckpointError(`checkpoint file ${path} is not JSON`, { cause: error });
    }
    const position = typeof parsed === 'object' && parsed !== null && 'position' in parsed ? parsed.position : undefined;
    if (typeof position !== 'string' || !/^\d{1,20}$/.test(position)) {
      throw new CheckpointError(`checkpoint file ${path} has no valid position`);
    }
    return BigInt(position);
  }

  async save(name: string, position: bigint): Promise<void> {
    if (position < 0n) throw new CheckpointError(`checkpoint position must not be negative (${position})`);
    const path = this.path(name);
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    await this.ready;
    const temporary = `${path}.${randomUUID()}.tmp`;
    const content = `${JSON.stringify({ name, position: position.toString(), savedAt: new Date().toISOString() })}\n`;
    try {
      const file = await open(temporary, 'wx', 0o600);
      try {
        await file.writeFile(content, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw error;
    }
    await syncDirectory(this.dir);
  }
}

/** Makes a rename durable. Some platforms cannot open a directory for syncing: the rename is then as durable as it gets. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // EISDIR / EPERM / EINVAL on platforms without directory fsync
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Checkpoints kept in memory: for followers whose output does not outlive the process either (the in-process bus). */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly positions = new Map<string, bigint>();

  async load(name: string): Promise<bigint | undefined> {
    return this.positions.get(checkName(name));
  }

  async save(name: string, position: bigint): Promise<void> {
    this.positions.set(checkName(name), position);
  }
}
