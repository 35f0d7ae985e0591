import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllServers, startServer, type ServerExit, type ServerProcess } from '../support/server-process.ts';

/**
 * Crash durability and idempotency of the real server process: acknowledged commands survive SIGKILL, and
 * re-sending any command (acknowledged or left in flight by the crash) with its Idempotency-Key never applies it
 * twice.
 */

const ADMIN_KEY = 'e2e-durability-admin-key-0123456789abcdef';
const CLIENTS = 16;
const LOAD_MS = 1200;
const MIN_ACKED = 20;
const REQUEST_TIMEOUT_MS = 10_000;

type Body = Record<string, string>;

interface Ack {
  status: number;
  orgId: string;
  commandId: string;
  streamId: string;
  streamRevision: number;
  position: string;
  replayed: boolean;
  eventIds: string[];
}

interface Command {
  /** Global send order. */
  seq: number;
  client: number;
  kind: 'register' | 'metadata';
  key: string;
  path: string;
  body: Body;
  /** The target org; for a registration, known once the server has answered it. */
  orgId: string;
  outcome: 'pending' | 'acked' | 'rejected' | 'in-flight';
  ack?: Ack;
  rejection?: { status: number; body: string };
  error?: string;
  /** The no-answer happened before the server was killed (the server was alive and did not answer). */
  failedWhileAlive?: boolean;
}

type Answer = { kind: 'answer'; status: number; text: string } | { kind: 'no-answer'; error: string };

interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

let dataDir: string | undefined;

afterAll(async () => {
  await killAllServers('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function post(server: ServerProcess, command: Command): Promise<Answer> {
  try {
    const response = await fetch(`${server.baseUrl}${command.path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        'content-type': 'application/json',
        'idempotency-key': command.key,
      },
      body: JSON.stringify(command.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    // A body cut off by the crash is no answer: the client cannot know what happened.
    const text = await response.text();
    return { kind: 'answer', status: response.status, text };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { kind: 'no-answer', error: `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
}

function parseAck(status: number, text: string): Ack {
  const body = JSON.parse(text) as Record<string, unknown>;
  const events = Array.isArray(body.events) ? (body.events as Array<Record<string, unknown>>) : [];
  return {
    status,
    orgId: String(body.orgId),
    commandId: String(body.commandId),
    streamId: String(body.streamId),
    streamRevision: Number(body.streamRevision),
    position: String(body.position),
    replayed: body.replayed === true,
    eventIds: events.map((event) => String(event.eventId)),
  };
}

/** Every event in the log, read straight from the SQLite file (read-only: the file is left as the crash left it). */
function readEvents(dbPath: string): EventRow[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT position, stream_id, revision, event_id, type, data, metadata FROM events ORDER BY position').all() as EventRow[];
  } finally {
    db.close();
  }
}

/** What the platform writes itself at start: the bootstrap admin key and the built-in policies it runs with. */
const isPlatformStartup = (commandId: string) => commandId.startsWith('bootstrap-admin-key:') || commandId.startsWith('record-builtin-policy:');

/** The client's Idempotency-Key: the server scopes it to the principal as `<principal tag>.<key>`. */
function commandIdOf(row: EventRow): string {
  return String((JSON.parse(row.metadata) as { commandId?: unknown }).commandId).replace(/^[0-9a-f]{16}\./, '');
}

async function getOrg(server: ServerProcess, orgId: string): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const response = await fetch(`${server.baseUrl}/orgs/${orgId}`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  } catch (error) {
    throw new Error(`GET /orgs/${orgId} on ${server.baseUrl} failed (server ${server.isRunning() ? 'running' : 'exited'}); output:\n${server.output()}`, {
      cause: error,
    });
  }
}

/** Runs `work` over `items` with at most `concurrency` at a time, in order of `items`. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next];
        next += 1;
        if (item !== undefined) await work(item);
      }
    }),
  );
}

describe('durability: SIGKILL under load', () => {
  it('keeps every acknowledged command and applies every retried command exactly once', { timeout: 45_000 }, async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'agencygrid-kill9-'));
    const runId = Date.now().toString(36);
    const started = Date.now();

    // ---- 1. first server, load ------------------------------------------------------------------------------------
    const first = await startServer({ dataDir, adminKey: ADMIN_KEY, logLevel: 'warn' });
    const commands: Command[] = [];
    let seq = 0;
    let killing = false;

    const issue = async (server: ServerProcess, command: Command): Promise<boolean> => {
      commands.push(command);
      const answer = await post(server, command);
      if (answer.kind === 'no-answer') {
        command.outcome = 'in-flight';
        command.error = answer.error;
        command.failedWhileAlive = !killing;
        return false;
      }
      if (answer.status >= 200 && answer.status < 300) {
        try {
          command.ack = parseAck(answer.status, answer.text);
          command.outcome = 'acked';
          return true;
        } catch {
          command.outcome = 'in-flight';
          command.error = `unparseable 2xx body: ${answer.text.slice(0, 200)}`;
          return false;
        }
      }
      command.outcome = 'rejected';
      command.rejection = { status: answer.status, body: answer.text.slice(0, 500) };
      return false;
    };

    // Each client registers an org, then updates its description 0-2 times, one command at a time, so per org only
    // the client's last command can be in doubt. Clients keep going through the kill and stop at their first
    // command without an answer: every client leaves exactly one command in doubt, as a real client would.
    const client = async (index: number) => {
      for (let round = 0; ; round += 1) {
        const key = `kill9.${runId}.c${index}.r${round}`;
        const register: Command = {
          seq: seq++,
          client: index,
          kind: 'register',
          key,
          path: '/orgs',
          body: { name: `Org ${index}/${round}`, slug: `k9-${runId}-${index}-${round}` },
          orgId: '',
          outcome: 'pending',
        };
        const registered = await issue(first, register);
        if (!registered) {
          if (register.outcome === 'rejected') continue;
          return;
        }
        const orgId = register.ack?.orgId ?? '';
        register.orgId = orgId;
        for (let update = 0; update < round % 3; update += 1) {
          const command: Command = {
            seq: seq++,
            client: index,
            kind: 'metadata',
            key: `${key}.m${update}`,
            path: `/orgs/${orgId}/metadata`,
            body: { description: `description ${index}/${round}/${update}` },
            orgId,
            outcome: 'pending',
          };
          const updated = await issue(first, command);
          if (!updated && command.outcome !== 'rejected') return;
        }
      }
    };

    const clients = Array.from({ length: CLIENTS }, (_, index) => client(index));
    const acked = () => commands.filter((command) => command.outcome === 'acked').length;
    const loadStart = Date.now();
    await new Promise((resolve) => setTimeout(resolve, LOAD_MS)); // a fixed time under load before the crash
    // A slow machine gets a little longer to reach the minimum, so the crash always lands on a busy server.
    while (acked() < MIN_ACKED && Date.now() - loadStart < 8_000) await new Promise((resolve) => setTimeout(resolve, 25));

    // ---- 2. SIGKILL while commands are in flight ------------------------------------------------------------------
    killing = true;
    const pendingAtKill = commands.filter((command) => command.outcome === 'pending').length;
    const ackedAtKill = acked();
    const killExit: ServerExit = await first.kill('SIGKILL');
    const loadMs = Date.now() - loadStart;
    await Promise.all(clients);

    expect(killExit.signal, `first server output:\n${first.output()}`).toBe('SIGKILL');
    expect(ackedAtKill, 'commands acknowledged before the kill').toBeGreaterThanOrEqual(MIN_ACKED);
    expect(pendingAtKill, 'commands in flight when the kill was sent').toBeGreaterThan(0);
    expect(commands.filter((command) => command.outcome === 'pending')).toEqual([]);
    expect(commands.filter((command) => command.outcome === 'in-flight').length, 'commands left without an answer').toBe(CLIENTS);
    // Before the crash the server was healthy: nothing may have been refused or left unanswered.
    expect(
      commands.filter((command) => command.outcome === 'rejected').map((command) => ({ key: command.key, ...command.rejection })),
      'commands rejected during the load',
    ).toEqual([]);
    expect(
      commands.filter((command) => command.failedWhileAlive).map((command) => ({ key: command.key, error: command.error })),
      'commands that got no answer while the server was alive',
    ).toEqual([]);

    const ackedCommands = commands.filter((command) => command.outcome === 'acked');
    const inFlight = commands.filter((command) => command.outcome === 'in-flight');
    const resendable = [...ackedCommands, ...inFlight].sort((a, b) => a.seq - b.seq);

    // ---- 3. the log as the crash left it: every acknowledged command is in it ---------------------------------------
    const dbPath = join(dataDir, 'events.db');
    const crashed = new Map<string, EventRow[]>();
    for (const row of readEvents(dbPath)) {
      const list = crashed.get(commandIdOf(row)) ?? [];
      list.push(row);
      crashed.set(commandIdOf(row), list);
    }
    expect(
      ackedCommands
        .filter((command) => {
          const own = crashed.get(command.key)?.findLast((row) => row.stream_id === `org-${command.orgId}`);
          return own?.revision !== command.ack?.streamRevision || String(own?.position) !== command.ack?.position;
        })
        .map((command) => command.key),
      'acknowledged commands whose event is not in the log after the crash',
    ).toEqual([]);
    // What the crash did to the commands it interrupted: nothing, a slug claim without its org, or all of it.
    const interrupted = { none: 0, partial: 0, complete: 0 };
    for (const command of inFlight) {
      const count = crashed.get(command.key)?.length ?? 0;
      // Org stream: the decision and the change; plus the slug claim for a registration.
      const expectedCount = command.kind === 'register' ? 3 : 2;
      if (count === 0) interrupted.none += 1;
      else if (count < expectedCount) interrupted.partial += 1;
      else interrupted.complete += 1;
    }

    // ---- 4. restart on the same data, acknowledged effects are all there ------------------------------------------
    const second = await startServer({ dataDir, adminKey: ADMIN_KEY, logLevel: 'warn' });

    // Commands per org; an org is known once its registration has been answered.
    const groupByOrg = () => {
      const groups = new Map<string, Command[]>();
      for (const command of resendable) {
        if (command.orgId === '') continue;
        const list = groups.get(command.orgId) ?? [];
        list.push(command);
        groups.set(command.orgId, list);
      }
      return groups;
    };
    const ackedOrgs = groupByOrg();

    let inFlightVisibleBeforeRetry = 0;
    const missing: string[] = [];
    await pool([...ackedOrgs.entries()], CLIENTS, async ([orgId, list]) => {
      const registration = list.find((command) => command.kind === 'register');
      if (registration?.outcome !== 'acked') throw new Error(`no acknowledged registration recorded for org ${orgId}`);
      const ackedHere = list.filter((command) => command.outcome === 'acked');
      const inFlightHere = list.filter((command) => command.outcome === 'in-flight');
      const { status, body } = await getOrg(second, orgId);
      if (status !== 200) {
        missing.push(`${orgId}: GET answered ${status} ${JSON.stringify(body)}`);
        return;
      }
      expect(body.name).toBe(registration.body.name);
      expect(body.slug).toBe(registration.body.slug);
      const lastAcked = ackedHere.at(-1);
      const minRevision = Math.max(...ackedHere.map((command) => command.ack?.streamRevision ?? -1));
      expect(body.revision, `revision of org ${orgId}`).toBeGreaterThanOrEqual(minRevision);
      // The description is the last acknowledged one, or that of a later command that was in flight.
      const allowed = [lastAcked?.kind === 'metadata' ? lastAcked.body.description : '', ...inFlightHere.map((c) => c.body.description)];
      expect(allowed, `description of org ${orgId}`).toContain(body.description);
      if (inFlightHere.some((command) => command.body.description === body.description)) inFlightVisibleBeforeRetry += 1;
    });
    expect(missing, 'acknowledged orgs missing after the restart').toEqual([]);

    // ---- 5. retry every command with the same Idempotency-Key and body --------------------------------------------
    const retryProblems: string[] = [];
    let inFlightReplayed = 0;
    let inFlightAppliedNow = 0;
    const finalAck = new Map<string, Ack>();
    await pool(resendable, CLIENTS, async (command) => {
      const answer = await post(second, command);
      if (answer.kind === 'no-answer') {
        retryProblems.push(`${command.key}: no answer (${answer.error})`);
        return;
      }
      if (answer.status < 200 || answer.status >= 300) {
        retryProblems.push(`${command.key} (${command.outcome}): ${answer.status} ${answer.text.slice(0, 300)}`);
        return;
      }
      const ack = parseAck(answer.status, answer.text);
      finalAck.set(command.key, ack);
      if (command.outcome === 'acked') {
        const original = command.ack;
        const same =
          ack.replayed &&
          ack.status === original?.status &&
          ack.orgId === original.orgId &&
          ack.commandId === original.commandId &&
          ack.streamId === original.streamId &&
          ack.streamRevision === original.streamRevision &&
          ack.position === original.position &&
          JSON.stringify(ack.eventIds) === JSON.stringify(original.eventIds);
        if (!same) retryProblems.push(`${command.key}: retry answered ${JSON.stringify(ack)}, first answer was ${JSON.stringify(original)}`);
      } else {
        if (command.kind === 'register') command.orgId = ack.orgId;
        else if (ack.orgId !== command.orgId) retryProblems.push(`${command.key}: retry targeted org ${ack.orgId}, expected ${command.orgId}`);
        if (ack.replayed) inFlightReplayed += 1;
        else inFlightAppliedNow += 1;
      }
    });
    expect(retryProblems, 'retries of acknowledged and in-flight commands').toEqual([]);
    const byOrg = groupByOrg();
    expect(byOrg.size, 'orgs registered').toBe(resendable.filter((command) => command.kind === 'register').length);

    // A second round of retries: now every command, including the in-flight ones just applied, replays exactly.
    await pool(resendable, CLIENTS, async (command) => {
      const answer = await post(second, command);
      const previous = finalAck.get(command.key);
      if (answer.kind === 'no-answer' || answer.status < 200 || answer.status >= 300 || !previous) {
        retryProblems.push(`${command.key}: second retry ${answer.kind === 'answer' ? `${answer.status} ${answer.text.slice(0, 300)}` : answer.error}`);
        return;
      }
      const ack = parseAck(answer.status, answer.text);
      if (!ack.replayed || ack.streamRevision !== previous.streamRevision || ack.position !== previous.position) {
        retryProblems.push(`${command.key}: second retry answered ${JSON.stringify(ack)}, first retry ${JSON.stringify(previous)}`);
      }
    });
    expect(retryProblems, 'second round of retries').toEqual([]);

    // Every org now shows its last command (per client, commands were issued one after another).
    await pool([...byOrg.entries()], CLIENTS, async ([orgId, list]) => {
      const { status, body } = await getOrg(second, orgId);
      expect(status, `GET /orgs/${orgId}`).toBe(200);
      const last = list.at(-1);
      const lastDescription = last?.kind === 'metadata' ? last.body.description : '';
      expect(body.description, `final description of org ${orgId}`).toBe(lastDescription);
      // Two events per command: the decision that permitted it, then its change.
      expect(body.revision, `final revision of org ${orgId}`).toBe(2 * list.length - 1);
    });

    // ---- 6. stop, then inspect the log itself ---------------------------------------------------------------------
    const stopExit = await second.kill('SIGTERM');
    const rows = readEvents(dbPath);

    // No event id twice, anywhere.
    const eventIds = new Map<string, number>();
    for (const row of rows) eventIds.set(row.event_id, (eventIds.get(row.event_id) ?? 0) + 1);
    expect(
      [...eventIds].filter(([, count]) => count > 1),
      'duplicated event ids',
    ).toEqual([]);

    // Every stream is 0..n-1 in commit order.
    const streams = new Map<string, EventRow[]>();
    for (const row of rows) {
      const list = streams.get(row.stream_id) ?? [];
      list.push(row);
      streams.set(row.stream_id, list);
    }
    for (const [streamId, list] of streams) {
      expect(
        list.map((row) => row.revision),
        `revisions of ${streamId}`,
      ).toEqual(list.map((_, index) => index));
    }

    // Each org stream has exactly one OrgRegistered, first; each slug reservation exactly one claim.
    const sentOrgStreams = new Set([...byOrg.keys()].map((orgId) => `org-${orgId}`));
    for (const [streamId, list] of streams) {
      if (streamId.startsWith('org-')) {
        expect(sentOrgStreams.has(streamId), `${streamId} belongs to a command we sent`).toBe(true);
        expect(
          list.filter((row) => row.type === 'OrgRegistered').map((row) => row.revision),
          `OrgRegistered in ${streamId}`,
        ).toEqual([1]);
      }
      if (streamId.startsWith('unique-')) expect(list.length, `claims in ${streamId}`).toBe(1);
    }
    expect(sentOrgStreams.size).toBe(byOrg.size);
    for (const streamId of sentOrgStreams) expect(streams.has(streamId), `${streamId} exists`).toBe(true);

    // Per command id, exactly one set of events: what the command decides, once.
    const byCommand = new Map<string, EventRow[]>();
    for (const row of rows) {
      const metadata = JSON.parse(row.metadata) as { eventId?: unknown };
      expect(metadata.eventId, `metadata.eventId of event ${row.position}`).toBe(row.event_id);
      const commandId = commandIdOf(row);
      const list = byCommand.get(commandId) ?? [];
      list.push(row);
      byCommand.set(commandId, list);
    }
    const sentKeys = new Set(resendable.map((command) => command.key));
    expect(
      [...byCommand.keys()].filter((commandId) => !sentKeys.has(commandId) && !isPlatformStartup(commandId)),
      'events of commands nobody sent',
    ).toEqual([]);
    for (const command of resendable) {
      const events = byCommand.get(command.key) ?? [];
      const shape = events.map((row) => `${row.type}@${row.stream_id.replace(/^command-[0-9a-f]{16}\./, 'command-')}`).sort();
      if (command.kind === 'register') {
        expect(shape, `events of ${command.key}`).toEqual(
          [
            `CommandCompleted@command-${command.key}`,
            `DecisionRecorded@org-${command.orgId}`,
            `OrgRegistered@org-${command.orgId}`,
            `UniqueKeyReserved@unique-org-slug.${command.body.slug}`,
          ].sort(),
        );
      } else {
        expect(shape, `events of ${command.key}`).toEqual([
          `CommandCompleted@command-${command.key}`,
          `DecisionRecorded@org-${command.orgId}`,
          `OrgMetadataUpdated@org-${command.orgId}`,
        ]);
        const data = JSON.parse(events.find((row) => row.type === 'OrgMetadataUpdated')?.data ?? '{}') as { changes?: { description?: unknown } };
        expect(data.changes?.description).toBe(command.body.description);
      }
      // The acknowledged revision and position are those of the command's own (last) event in its org stream.
      const own = events.findLast((row) => row.stream_id === `org-${command.orgId}`);
      const expected = command.ack ?? finalAck.get(command.key);
      expect({ revision: own?.revision, position: String(own?.position) }, `stored event of ${command.key}`).toEqual({
        revision: expected?.streamRevision,
        position: expected?.position,
      });
    }
    expect(rows.length).toBe(
      [...byCommand.entries()].filter(([commandId]) => isPlatformStartup(commandId)).reduce((sum, [, list]) => sum + list.length, 0) +
        // Each command's own events plus its completion record (every command here carries an Idempotency-Key).
        // Each command's decision and change plus its completion record (every command here carries an Idempotency-Key).
        resendable.reduce((sum, command) => sum + (command.kind === 'register' ? 4 : 3), 0),
    );

    expect(stopExit, `graceful stop after the restart; output:\n${second.output()}`).toEqual({ code: 0, signal: null });

    console.log(
      `kill9: ${commands.length} commands in ${loadMs} ms of load, ${ackedAtKill} acknowledged when the kill was sent ` +
        `(${ackedCommands.length} in the end), ${pendingAtKill} pending at the kill, ${inFlight.length} without answer; ` +
        `interrupted commands in the log after the crash: ${JSON.stringify(interrupted)}; ` +
        `in-flight updates visible before retry: ${inFlightVisibleBeforeRetry}; retried in-flight: ${inFlightReplayed} replayed, ` +
        `${inFlightAppliedNow} applied now; ${rows.length} events; ${Date.now() - started} ms in all`,
    );
  });
});
