import type { EventRow } from '../../infra/eventstore/sqlite.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { auditLabRules } from '../support/audit-lab-rules.ts';
import { backupReportSchema } from '../../bin/backup/take-backup.ts';
import { restoreReportSchema } from '../../bin/backup/restore-backup.ts';
import { runCli } from '../support/cli-process.ts';
import { killAllServers, startServer, type ServerProcess } from '../support/server-process.ts';
import { waitFor } from '../support/async.ts';

/**
 * The operator's path end to end, with real processes: a server under a write load of governed commands (admins
 * registering and updating orgs, a member whose updates the org's policy permits or forbids), `agencygrid backup`
 * from another process while the load goes on, `agencygrid restore` into a new data dir, and a second server on it.
 * The restored log must be the live log up to one commit, hold every command acknowledged before the backup began,
 * and give the same audit replay as the live server over the same range.
 */

const ADMIN_KEY = 'e2e-backup-admin-key-0123456789abcdef';
// The load is a few clients as fast as the machine goes: the per-principal rate limits are not what is tested here.
const UNLIMITED_RATES = { RATE_LIMIT_READS: '10000000', RATE_LIMIT_COMMANDS: '10000000' } as const;
const ADMIN_CLIENTS = 4;
const MEMBER_CLIENTS = 2;
const MIN_ACKS_BEFORE_BACKUP = 40;
const MIN_ACKS_AFTER_BACKUP = 20;
const REQUEST_TIMEOUT_MS = 15_000;

const rules = auditLabRules;

interface Ack {
  key: string;
  orgId: string;
  streamId: string;
  revision: number;
  position: bigint;
  /** performance.now() when the answer arrived. */
  at: number;
}

let root: string | undefined;

afterAll(async () => {
  await killAllServers('SIGKILL');
  if (root) rmSync(root, { recursive: true, force: true });
});

async function call(server: ServerProcess, method: 'GET' | 'POST', path: string, body?: unknown, key = ADMIN_KEY, idempotencyKey?: string) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function readEvents(path: string): EventRow[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT * FROM events ORDER BY position').safeIntegers(true).all() as EventRow[];
  } finally {
    db.close();
  }
}

function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  return waitFor(condition, timeoutMs, what);
}

/** The head of the server's log, and whether every projection and saga has reached it (from GET /ready). */
async function readiness(server: ServerProcess): Promise<{ head: bigint; caughtUp: boolean; status: string }> {
  const response = await fetch(`${server.baseUrl}/ready`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = (await response.json()) as {
    status: string;
    checks: Record<string, { ok: boolean; detail?: string }>;
    projections: Array<{ state: string; lag: number }>;
  };
  const head = BigInt(/head (\d+)/.exec(body.checks.eventStore?.detail ?? '')?.[1] ?? '-1');
  const sagaPositions = [...(body.checks.work?.detail ?? '').matchAll(/ at (\d+)/g)].map((match) => BigInt(match[1] ?? '-1'));
  const caughtUp =
    body.projections.length > 0 &&
    body.projections.every((projection) => projection.state === 'live' && projection.lag === 0) &&
    sagaPositions.length > 0 &&
    sagaPositions.every((position) => position === head);
  return { head, caughtUp, status: body.status };
}

/** A re-evaluation report with the one field that depends on when it was asked (the head of the log then) left out. */
function comparable(report: Record<string, unknown>): Record<string, unknown> {
  const { head: _head, ...range } = report.range as Record<string, unknown>;
  return { ...report, range };
}

describe('agencygrid backup and restore against a server under load', () => {
  it('backs up while commands are written, restores into a new data dir, and a second server answers the same', { timeout: 240_000 }, async () => {
    root = mkdtempSync(join(tmpdir(), 'agencygrid-backup-e2e-'));
    const liveDir = join(root, 'live');
    const restoredDir = join(root, 'restored');
    const file = join(root, 'backups', 'agencygrid.backup');
    const runId = Date.now().toString(36);

    // ---- 1. the live server and an org governed by its own policy ----------------------------------------------
    const live = await startServer({ dataDir: liveDir, adminKey: ADMIN_KEY, env: UNLIMITED_RATES });
    const wes = String((await call(live, 'POST', '/subjects', { kind: 'agent', displayName: 'Wes' })).body.subjectId);
    const wesKey = String((await call(live, 'POST', `/subjects/${wes}/api-keys`, { label: 'backup-e2e' })).body.key);
    const labId = String((await call(live, 'POST', '/orgs', { name: 'Backup Lab', slug: `backup-lab-${runId}` })).body.orgId);
    expect((await call(live, 'POST', `/orgs/${labId}/roles`, { name: 'writer' })).status).toBe(200);
    expect((await call(live, 'POST', `/orgs/${labId}/associations`, { subjectId: wes, role: 'writer' })).status).toBe(201);
    const drafted = await call(live, 'POST', `/orgs/${labId}/policies`, { rules });
    expect((await call(live, 'POST', `/orgs/${labId}/policies/${String(drafted.body.version)}/publish`, {})).status).toBe(200);

    // ---- 2. the write load ----------------------------------------------------------------------------------------
    const acks: Ack[] = [];
    const refusals: number[] = [];
    const failures: string[] = [];
    let stopping = false;
    const record = (key: string, status: number, body: Record<string, unknown>, expected: number) => {
      if (status !== expected) {
        failures.push(`${key}: ${status} ${JSON.stringify(body).slice(0, 300)}`);
        return false;
      }
      acks.push({
        key,
        orgId: String(body.orgId),
        streamId: String(body.streamId),
        revision: Number(body.streamRevision),
        position: BigInt(String(body.position)),
        at: performance.now(),
      });
      return true;
    };
    const admin = async (client: number) => {
      for (let n = 0; !stopping && failures.length === 0; n += 1) {
        const key = `bk.${runId}.a${client}.n${n}`;
        const registered = await call(live, 'POST', '/orgs', { name: `Org ${client}/${n}`, slug: `bk-${runId}-a${client}-n${n}` }, ADMIN_KEY, key);
        if (!record(key, registered.status, registered.body, 201)) return;
        const updated = await call(live, 'POST', `/orgs/${String(registered.body.orgId)}/metadata`, { description: `updated ${n}` }, ADMIN_KEY, `${key}.m`);
        if (!record(`${key}.m`, updated.status, updated.body, 200)) return;
      }
    };
    const member = async (client: number) => {
      for (let n = 0; !stopping && failures.length === 0; n += 1) {
        const key = `bk.${runId}.w${client}.n${n}`;
        // Every third update is one the org's policy forbids: a refusal recorded in the org's audit stream.
        const forbidden = n % 3 === 2;
        const answer = await call(live, 'POST', `/orgs/${labId}/metadata`, { description: `${forbidden ? 'x' : 'w'}: ${client}/${n}` }, wesKey, key);
        if (forbidden) {
          if (answer.status === 403) refusals.push(performance.now());
          else failures.push(`${key}: expected 403, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
        } else if (!record(key, answer.status, answer.body, 200)) return;
      }
    };
    const load = [
      ...Array.from({ length: ADMIN_CLIENTS }, (_, client) => admin(client)),
      ...Array.from({ length: MEMBER_CLIENTS }, (_, client) => member(client)),
    ];
    await until(() => acks.length >= MIN_ACKS_BEFORE_BACKUP || failures.length > 0, `${MIN_ACKS_BEFORE_BACKUP} acknowledged commands`);

    // ---- 3. the backup, from another process, while the load goes on ---------------------------------------------
    const backupStarted = performance.now();
    const ackedBefore = acks.filter((ack) => ack.at < backupStarted);
    const backup = await runCli(['backup', file, '--json'], { DATA_DIR: liveDir });
    const backupEnded = performance.now();
    const acksAtBackupEnd = acks.length;
    await until(() => acks.length >= acksAtBackupEnd + MIN_ACKS_AFTER_BACKUP || failures.length > 0, 'commands after the backup');
    stopping = true;
    await Promise.all(load);

    expect(failures, 'commands of the load that failed').toEqual([]);
    expect(backup.code, `backup stderr:\n${backup.stderr}`).toBe(0);
    expect(backup.stderr).toBe('');
    const report = backupReportSchema.parse(JSON.parse(backup.stdout));
    const last = BigInt(report.manifest.log.lastPosition);
    const headAtStart = BigInt(report.manifest.headAtStart);
    const ackedDuring = acks.filter((ack) => ack.at > backupStarted && ack.at < backupEnded);
    expect(ackedDuring.length, 'commands acknowledged while the backup ran').toBeGreaterThan(0);
    expect(refusals.length, 'refused commands in the load').toBeGreaterThan(0);
    // biome-ignore lint/complexity/useMathMinMax: positions are bigints, which Math.max does not take
    expect(headAtStart).toBeGreaterThanOrEqual(ackedBefore.reduce((max, ack) => (ack.position > max ? ack.position : max), 0n));
    expect(last).toBeGreaterThanOrEqual(headAtStart);
    expect(report.manifest.log.eventTypes).toMatchObject({ DecisionRecorded: 2, OrgRegistered: 2, ApiKeyIssued: 1 });

    // ---- 4. restore into a data dir that does not exist yet -------------------------------------------------------
    const restore = await runCli(['restore', file, '--data-dir', restoredDir, '--json']);
    expect(restore.code, `restore stderr:\n${restore.stderr}`).toBe(0);
    const restored = restoreReportSchema.parse(JSON.parse(restore.stdout));
    expect(restored).toMatchObject({ dataDir: restoredDir, movedAside: [], leftInPlace: [] });

    // ---- 5. the restored log: the live log up to one commit, every acknowledged command in it ----------------------
    const liveRows = readEvents(join(liveDir, 'events.db'));
    const restoredRows = readEvents(join(restoredDir, 'events.db'));
    expect(restoredRows.length).toBe(report.manifest.log.events);
    expect(restoredRows.at(-1)?.position).toBe(last);
    expect(liveRows.at(-1)?.position ?? 0n, 'the live log went on past the copy').toBeGreaterThan(last);
    // Row by row (ids, data, metadata, times): a prefix of the live log, cut between two commits.
    expect(restoredRows).toEqual(liveRows.filter((row) => row.position <= last));
    const revisions = new Map<string, bigint>();
    for (const row of restoredRows) {
      const expected = (revisions.get(row.stream_id) ?? -1n) + 1n;
      expect(row.revision, `revision of ${row.stream_id} at ${row.position}`).toBe(expected);
      revisions.set(row.stream_id, row.revision);
    }
    const byPosition = new Map(restoredRows.map((row) => [row.position, row]));
    expect(
      ackedBefore
        .filter((ack) => {
          const row = byPosition.get(ack.position);
          return row?.stream_id !== ack.streamId || row.revision !== BigInt(ack.revision);
        })
        .map((ack) => ack.key),
      'commands acknowledged before the backup began that are not in the restored log',
    ).toEqual([]);

    // ---- 6. the audit replay on the live server, over the backup's range, then stop it ----------------------------
    const orgIds = [labId, ...new Set(acks.filter((ack) => ack.position <= last && ack.orgId !== labId).map((ack) => ack.orgId))];
    const reevaluate = async (server: ServerProcess) => {
      const reports = new Map<string, Record<string, unknown>>();
      for (const orgId of orgIds) {
        const answer = await call(server, 'GET', `/audit/orgs/${orgId}/reevaluate?to=${last}&maxItems=1000`);
        expect(answer.status, `reevaluate ${orgId} on ${server.baseUrl}: ${JSON.stringify(answer.body).slice(0, 300)}`).toBe(200);
        reports.set(orgId, comparable(answer.body));
      }
      return reports;
    };
    const liveReports = await reevaluate(live);
    expect((await live.kill('SIGTERM')).code, `live server output:\n${live.output()}`).toBe(0);

    // ---- 7. a second server on the restored data dir: read models rebuilt from the log -----------------------------
    const spawned = performance.now();
    const second = await startServer({ dataDir: restoredDir, adminKey: ADMIN_KEY, env: UNLIMITED_RATES });
    const answeringMs = Math.round(performance.now() - spawned);
    let state = await readiness(second);
    await until(async () => {
      state = await readiness(second);
      return state.caughtUp;
    }, 'the restored server to rebuild its read models');
    const rebuildMs = Math.round(performance.now() - spawned);
    expect(state.head, 'head of the restored log as the server sees it').toBe(last);
    expect(state.status).toBe('ready');

    const restoredReports = await reevaluate(second);
    let decisions = 0;
    for (const orgId of orgIds) {
      const replay = restoredReports.get(orgId);
      expect(replay, `re-evaluation of ${orgId} on the restored server`).toEqual(liveReports.get(orgId));
      expect(replay).toMatchObject({ differed: [], counts: { differed: 0, unverifiable: 0 } });
      decisions += Number(replay?.total);
    }
    const lab = restoredReports.get(labId) as { total: number; byAction: Record<string, { total: number }> } | undefined;
    expect(lab?.byAction['org.update']?.total, 'permitted and forbidden updates of the member re-evaluated').toBeGreaterThan(2);

    // The CLI's audit replay agrees too, and the read models answer what was acknowledged before the backup.
    const audit = await runCli(['audit', 'reevaluate', labId, '--to', String(last)], { AGENCYGRID_URL: second.baseUrl, AGENCYGRID_API_KEY: ADMIN_KEY });
    expect(audit.code, `audit stderr:\n${audit.stderr}`).toBe(0);
    expect(audit.stdout).toMatch(new RegExp(`all ${String(lab?.total)} recorded decisions agree with re-evaluation`));
    for (const ack of ackedBefore.filter((entry) => entry.orgId !== labId)) {
      const org = await call(second, 'GET', `/orgs/${ack.orgId}`);
      expect(org.status, `GET /orgs/${ack.orgId} on the restored server`).toBe(200);
      expect(Number(org.body.revision)).toBeGreaterThanOrEqual(ack.revision);
    }

    // The restored store goes on after the backup's last position.
    const next = await call(second, 'POST', '/orgs', { name: 'After Restore', slug: `after-restore-${runId}` });
    expect(next.status).toBe(201);
    expect(BigInt(String(next.body.position))).toBeGreaterThan(last);

    console.log(
      `backup e2e: ${acks.length} commands acknowledged (${ackedBefore.length} before the backup, ${ackedDuring.length} while it ran), ` +
        `${refusals.length} refused by policy; backup of ${report.manifest.log.events} events (head ${headAtStart} at start, last ${last}) ` +
        `in ${report.durationMs} ms inside a ${backup.ms} ms CLI run, restore CLI ${restore.ms} ms; restored server answering ` +
        `${answeringMs} ms and caught up (${last} events, ${orgIds.length} orgs) ${rebuildMs} ms after spawn; ${decisions} decisions re-evaluated alike on both servers`,
    );
  });
});
