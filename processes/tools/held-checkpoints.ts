import type { CheckpointStore } from '../../infra/log-consumer/checkpoint-store.ts';

/**
 * A checkpoint store that never saves a position at or past an event still held: the tool-call process holds each
 * call's request from its claim until its outcome is recorded, so that after a crash the process reads that request
 * again and finds the call claimed and unfinished (and fails it as interrupted) instead of leaving it so forever.
 */
export class HeldCheckpoints implements CheckpointStore {
  private readonly held = new Map<string, bigint>();

  constructor(private readonly inner: CheckpointStore) {}

  hold(key: string, position: bigint): void {
    this.held.set(key, position);
  }

  release(key: string): void {
    this.held.delete(key);
  }

  load(name: string): Promise<bigint | undefined> {
    return this.inner.load(name);
  }

  save(name: string, position: bigint): Promise<void> {
    let saved = position;
    for (const held of this.held.values()) if (held - 1n < saved) saved = held - 1n;
    return this.inner.save(name, saved);
  }
}
