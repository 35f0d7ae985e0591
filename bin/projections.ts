import { randomUUID } from 'node:crypto';
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { ApiClient, ApiError } from './apply/client.ts';
import { apiConnection, apiEnvironment, type ApiConnection } from './cli/api-connection.ts';
import { EXIT_FAILURE, EXIT_USAGE, withStatus } from './cli/exit-status.ts';
import { environmentHelp, exitStatusHelp } from './cli/help-text.ts';

const footer = `${environmentHelp(apiEnvironment("the API key to act with (required; a platform admin's)"))}\n${exitStatusHelp('0 done; 1 the API refused or the rebuild failed; 2 bad usage')}`;

interface Progress {
  type: 'progress' | 'done' | 'failed';
  position?: string;
  head?: string;
  events?: number;
  elapsedMs?: number;
  failure?: { message: string; type?: string; position?: string };
}

/** Runs `act` with the API connection from the environment, or says which variable is missing (exit 2). */
const withConnection = <Args extends unknown[]>(act: (connection: ApiConnection, ...args: Args) => Promise<number>) =>
  withStatus(async (...args: Args) => {
    const connection = apiConnection();
    if ('problem' in connection) {
      process.stderr.write(`agencygrid projections: ${connection.problem}\n`);
      return EXIT_USAGE;
    }
    try {
      return await act(connection, ...args);
    } catch (error) {
      // No answer (or no usable one) from the API: the client already retried; one line, like a refusal.
      if (!(error instanceof ApiError)) throw error;
      process.stderr.write(`agencygrid projections: ${error.body.code}: ${error.body.message}\n`);
      return EXIT_FAILURE;
    }
  });

/** `agencygrid projections ...`: operates the read side through the admin routes. */
export function projectionsCommand(): CommandUnknownOpts {
  const projections = new Command('projections')
    .description('the read side: projection lag, rebuilding a read model from the log, parking an event a projection cannot apply')
    .addHelpText('after', footer);

  projections
    .command('status')
    .description("every projection's state, position and lag behind the head of the log")
    .addHelpText('after', footer)
    .action(withConnection(status));
  projections
    .command('rebuild')
    .description('drop the read model and replay the whole log into it, with a progress bar')
    .argument('<name>', 'the projection (see `status`)')
    .addHelpText('after', footer)
    .action(withConnection(async (connection, name: string) => rebuild(connection, name)));
  projections.command('parked').description('the events operators parked, per projection').addHelpText('after', footer).action(withConnection(parked));
  projections
    .command('park')
    .description('skip the event the projection stopped at (recorded: who, why, which position)')
    .argument('<name>', 'the projection')
    .argument('<position>', 'the position it stopped at')
    .argument('<reason...>', 'why (recorded; several words are joined)')
    .addHelpText('after', footer)
    .action(withConnection(async (connection, name: string, position: string, reason: string[]) => park(connection, 'park', name, position, reason)));
  projections
    .command('retry')
    .description('apply a parked event again; if it now succeeds, it is unparked')
    .argument('<name>', 'the projection')
    .argument('<position>', 'the parked position')
    .argument('<reason...>', 'why (recorded; several words are joined)')
    .addHelpText('after', footer)
    .action(withConnection(async (connection, name: string, position: string, reason: string[]) => park(connection, 'retry', name, position, reason)));
  return projections;
}

async function status({ baseUrl, apiKey }: ApiConnection): Promise<number> {
  const response = await new ApiClient({ baseUrl, apiKey }).get('/admin/projections');
  if (response.status !== 200) return refused(response.body);
  const { projections } = response.body as {
    projections: Array<{ name: string; state: string; position: string; lag: number; failure: { message: string } | null }>;
  };
  for (const projection of projections) {
    process.stdout.write(
      `${projection.name.padEnd(12)} ${projection.state.padEnd(12)} position ${projection.position.padStart(10)}  lag ${String(projection.lag).padStart(8)}` +
        `${projection.failure ? `  failed: ${projection.failure.message}` : ''}\n`,
    );
  }
  return 0;
}

async function parked({ baseUrl, apiKey }: ApiConnection): Promise<number> {
  const response = await new ApiClient({ baseUrl, apiKey }).get('/admin/projections/parked');
  if (response.status !== 200) return refused(response.body);
  const { parked } = response.body as {
    parked: Array<{
      projection: string;
      position: string;
      event: { type: string; streamId: string };
      reason: string;
      parkedBy: { id: string };
      parkedAt: string;
    }>;
  };
  for (const entry of parked) {
    process.stdout.write(
      `${entry.projection.padEnd(12)} position ${entry.position.padStart(10)}  ${entry.event.type} on ${entry.event.streamId}  parked by ${entry.parkedBy.id} at ${entry.parkedAt}: ${entry.reason}\n`,
    );
  }
  if (parked.length === 0) process.stdout.write('no parked events\n');
  return 0;
}

async function park({ baseUrl, apiKey }: ApiConnection, sub: 'park' | 'retry', name: string, position: string, reasonWords: string[]): Promise<number> {
  const reason = reasonWords.join(' ').trim();
  if (reason === '') {
    process.stderr.write(`agencygrid projections ${sub}: give a reason; see 'agencygrid projections ${sub} --help'\n`);
    return EXIT_USAGE;
  }
  const client = new ApiClient({ baseUrl, apiKey });
  const path = `/admin/projections/${encodeURIComponent(name)}/parked`;
  // One key per invocation: a lost answer is retried by the client without recording the command twice.
  const key = `cli-${sub}:${randomUUID()}`;
  const response =
    sub === 'park' ? await client.post(path, { position, reason }, key) : await client.post(`${path}/${encodeURIComponent(position)}/retry`, { reason }, key);
  if (response.status >= 300) return refused(response.body);
  process.stdout.write(sub === 'park' ? `parked ${name} at position ${position}\n` : `retried ${name} at position ${position}: applied and unparked\n`);
  return 0;
}

async function rebuild({ baseUrl, apiKey }: ApiConnection, name: string): Promise<number> {
  // Not through ApiClient: the answer is a stream of progress lines, read as it comes.
  const response = await fetch(`${baseUrl}/admin/projections/${encodeURIComponent(name)}/rebuild`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: '{}',
  }).catch((error: unknown) => {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    process.stderr.write(`agencygrid projections: cannot reach the API at ${baseUrl}: ${cause}\n`);
    return null;
  });
  if (response === null) return EXIT_FAILURE;
  if (!response.ok || !response.body) return refused(await response.json().catch(() => ({ code: `HTTP_${response.status}` })));
  const bar = progressBar(name);
  let outcome: Progress | undefined;
  let buffered = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += Buffer.from(chunk).toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const line = JSON.parse(buffered.slice(0, newline)) as Progress;
      buffered = buffered.slice(newline + 1);
      if (line.type === 'progress') bar.update(line);
      else outcome = line;
      newline = buffered.indexOf('\n');
    }
  }
  bar.end();
  if (outcome?.type === 'done') {
    process.stdout.write(`rebuilt ${name}\n`);
    return 0;
  }
  process.stderr.write(`agencygrid projections: rebuild of ${name} failed: ${outcome?.failure?.message ?? 'the stream ended early'}\n`);
  return 1;
}

function refused(body: unknown): number {
  const error = body as { code?: string; message?: string };
  process.stderr.write(`agencygrid projections: ${error.code ?? 'ERROR'}: ${error.message ?? JSON.stringify(body)}\n`);
  return 1;
}

/** A one-line bar on a terminal; on a pipe, a line at every tenth of the way. */
function progressBar(name: string) {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  return {
    update(progress: Progress) {
      const head = Number(progress.head ?? 0);
      const position = Number(progress.position ?? 0);
      const fraction = head === 0 ? 1 : Math.min(1, position / head);
      const rate = progress.elapsedMs ? Math.round(((progress.events ?? 0) * 1000) / progress.elapsedMs) : 0;
      const text = `${name} [${'#'.repeat(Math.round(fraction * 30)).padEnd(30, '-')}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${position}/${head}  ${rate} events/s`;
      if (tty) process.stderr.write(`\r${text}`);
      else if (Math.floor(fraction * 10) > lastTenth) {
        lastTenth = Math.floor(fraction * 10);
        process.stderr.write(`${text}\n`);
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}
