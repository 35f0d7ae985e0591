import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headPosition, runBash, type ScriptRun } from './doc-scripts.ts';
import { killAllServers, startServer, type ServerProcess } from './server-process.ts';

export interface ScriptRunTwice {
  server: ServerProcess;
  dataDir: string;
  /** The folder the script keeps its answers in, exported as `stateVariable`. */
  state: string;
  first: ScriptRun;
  headAfterFirst: number;
  second: ScriptRun;
}

/**
 * Runs a documented `script` twice, as a reader would paste it again, against a real server on a fresh data
 * directory: `AG` and `AGENCYGRID_API_KEY` exported, and a fresh folder as `stateVariable`.
 */
export async function scriptRunTwice(script: string, options: { name: string; adminKey: string; stateVariable: string }): Promise<ScriptRunTwice> {
  const dataDir = mkdtempSync(join(tmpdir(), `ag-${options.name}-`));
  const state = mkdtempSync(join(tmpdir(), `ag-${options.name}-${options.stateVariable.toLowerCase()}-`));
  const server = await startServer({ dataDir, adminKey: options.adminKey });
  const env = { AG: server.baseUrl, AGENCYGRID_API_KEY: options.adminKey, [options.stateVariable]: state };
  const first = await runBash(script, env, 60_000);
  const headAfterFirst = headPosition(dataDir);
  const second = await runBash(script, env, 60_000);
  return { server, dataDir, state, first, headAfterFirst, second };
}

/** Stops the servers and removes the folders a `scriptRunTwice` made. */
export async function removeScriptRunTwice(folders: ReadonlyArray<string | undefined>): Promise<void> {
  await killAllServers();
  for (const folder of folders) if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
}
