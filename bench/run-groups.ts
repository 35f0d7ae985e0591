import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { benchGroups } from './groups.ts';
import { emit, now, progress } from './measure.ts';

/** Runs the named groups in order, after one figure describing the machine. */
export async function runBenchmarks(selected: readonly string[]): Promise<void> {
  // A reader that stops early (`npm run bench | head`) must not kill the run before its temp directories are removed.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const probe = new Database(':memory:');
  const sqliteVersion = probe.prepare<[], { version: string }>('SELECT sqlite_version() AS version').get()?.version ?? 'unknown';
  probe.close();
  const cpu = cpus();
  emit('environment', 0, 'info', {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    freeMemoryGiB: Number((freemem() / 2 ** 30).toFixed(1)),
    sqlite: sqliteVersion,
    tmpdir: tmpdir(),
    groups: selected.join(','),
  });

  const started = now();
  for (const name of selected) {
    const groupStarted = now();
    progress(`${name}: running`);
    await benchGroups[name]?.run();
    progress(`${name}: done in ${((now() - groupStarted) / 1000).toFixed(1)} s`);
  }
  progress(`all done in ${((now() - started) / 1000).toFixed(1)} s`);
}
