import { randomUUID } from 'node:crypto';
import { ApiClient } from './apply/client.ts';

const DEFAULT_URL = 'http://127.0.0.1:8080';
const usage = `usage: agencygrid projections <status | rebuild <name> | parked | park <name> <position> <reason> | retry <name> <position> <reason>>

  status                             every projection's state, position and lag behind the head of the log
  rebuild <name>                     drop the read model and replay the whole log into it, with a progress bar
  parked                             the events operators parked, per projection
  park <name> <position> <reason>    skip the event the projection stopped at (recorded: who, why, which position)
  retry <name> <position> <reason>   apply a parked event again; if it now succeeds, it is unparked

environment: AGENCYGRID_API_KEY (required, a platform admin's), AGENCYGRID_URL (default ${DEFAULT_URL})
exit status: 0 done; 1 the API refused or the rebuild failed; 2 bad usage
`;

interface Progress {
  type: 'progress' | 'done' | 'failed';
  position?: string;
  head?: string;
  events?: number;
  elapsedMs?: number;
  failure?: { message: string; type?: string; position?: string };
}

/** `agencygrid projections ...`: operates the read side through the admin routes. */
export async function projectionsCommand(argv: readonly string[]): Promise<number> {
  const [sub, name, position, ...reasonWords] = argv;
  const reason = reasonWords.join(' ').trim();
  const parking = sub === 'park' || sub === 'retry';
  if (
    sub === undefined ||
    sub === '--help' ||
    sub === '-h' ||
    (sub === 'rebuild' && name === undefined) ||
    (parking && (name === undefined || position === undefined || reason === '')) ||
    !['status', 'rebuild', 'parked', 'park', 'retry'].includes(sub)
  ) {
    (sub === '--help' || sub === '-h' ? process.stdout : process.stderr).write(usage);
    return sub === '--help' || sub === '-h' ? 0 : 2;
  }
  const apiKey = process.env.AGENCYGRID_API_KEY?.trim() ?? '';
  if (apiKey === '') {
    process.stderr.write('agencygrid projections: AGENCYGRID_API_KEY is not set\n');
    return 2;
  }
  const baseUrl = (process.env.AGENCYGRID_URL?.trim() || DEFAULT_URL).replace(/\/+$/, '');

  if (sub === 'status') {
    const response = await new ApiClient({ baseUrl, apiKey }).get('/admin/projections');
    if (response.status !== 200) return refused(response.body);
    const { projections } = response.body as { projections: Array<{ name: string; state: string; position: string; lag: number; failure: { message: string } | null }> };
    for (const projection of projections) {
      process.stdout.write(
        `${projection.name.padEnd(12)} ${projection.state.padEnd(12)} position ${projection.position.padStart(10)}  lag ${String(projection.lag).padStart(8)}` +
          `${projection.failure ? `  failed: ${projection.failure.message}` : ''}\n`,
      );
    }
    return 0;
  }

  if (sub === 'parked') {
    const response = await new ApiClient({ baseUrl, apiKey }).get('/admin/projections/parked');
    if (response.status !== 200) return refused(response.body);
    const { parked } = response.body as { parked: Array<{ projection: string; position: string; event: { type: string; streamId: string }; reason: string; parkedBy: { id: string }; parkedAt: string }> };
    for (const entry of parked) {
      process.stdout.write(`${entry.projection.padEnd(12)} position ${entry.position.padStart(10)}  ${entry.event.type} on ${entry.event.streamId}  parked by ${entry.parkedBy.id} at ${entry.parkedAt}: ${entry.reason}\n`);
    }
    if (parked.length === 0) process.stdout.write('no parked events\n');
    return 0;
  }

  if (parking) {
    const client = new ApiClient({ baseUrl, apiKey });
    const path = `/admin/projections/${encodeURIComponent(name ?? '')}/parked`;
    // One key per invocation: a lost answer is retried by the client without recording the command twice.
    const key = `cli-${sub}:${randomUUID()}`;
    const response =
      sub === 'park'
        ? await client.post(path, { position, reason }, key)
        : await client.post(`${path}/${encodeURIComponent(position ?? '')}/retry`, { reason }, key);
    if (response.status >= 300) return refused(response.body);
    process.stdout.write(sub === 'park' ? `parked ${name} at position ${position}\n` : `retried ${name} at position ${position}: applied and unparked\n`);
    return 0;
  }

  const response = await fetch(`${baseUrl}/admin/projections/${encodeURIComponent(name ?? '')}/rebuild`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (!response.ok || !response.body) return refused(await response.json().catch(() => ({ code: `HTTP_${response.status}` })));
  const bar = progressBar(name ?? '');
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
