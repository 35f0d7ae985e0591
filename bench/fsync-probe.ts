import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emit, now, summarize } from './measure.ts';

/**
 * How long the temp directory's disk takes to make a small write durable. synchronous=FULL pays about this per
 * commit, so it is the context for reading the FULL vs NORMAL figures (a disk with a volatile write cache makes it
 * nearly free).
 */
export async function probeFsync(iterations: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'agencygrid-bench-fsync-'));
  try {
    const fd = openSync(join(dir, 'probe.bin'), 'w');
    try {
      const block = Buffer.alloc(4096, 7);
      const samples: number[] = [];
      for (let index = 0; index < iterations; index += 1) {
        const before = now();
        writeSync(fd, block);
        fdatasyncSync(fd);
        samples.push(now() - before);
      }
      const latency = summarize(samples);
      const context = { per: '4 KiB append + fdatasync', iterations, dir: tmpdir() };
      emit('disk.fdatasync.p50', latency.p50, 'ms', context);
      emit('disk.fdatasync.p99', latency.p99, 'ms', context);
    } finally {
      closeSync(fd);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
