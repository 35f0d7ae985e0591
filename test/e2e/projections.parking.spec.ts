import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { ORGS } from '../../projections/read-models/orgs.ts';
import { waitFor } from '../support/async.ts';
import { sabotagedDocuments } from '../support/sabotaged-documents.ts';
import { useTestServer } from '../support/api-server.ts';

/**
 * A poison event: the orgs projection stops at an event it cannot apply and /ready names it; an admin parks that one
 * event (recorded in the log: who, why, which position) and the projection goes on; the parked event is listed, and
 * once the cause is fixed a retry applies it and unparks it.
 */

const MARKER = 'poison-marker';
let fix: () => void;
const { server, api } = useTestServer(() => {
  const sabotaged = sabotagedDocuments(new SqliteDocumentStore({ path: ':memory:' }), ORGS, MARKER);
  fix = sabotaged.fix;
  return { docs: sabotaged.docs };
});

const orgsStatus = async () =>
  required(
    // biome-ignore lint/suspicious/noExplicitAny: the status route's JSON, asserted field by field
    ((await api.expectStatus(await api.get('/admin/projections'), 200)).projections as Array<Record<string, any>>).find((p) => p.name === 'orgs'),
    'the status of the orgs projection',
  );
const ready = async () => {
  const response = await server.app.inject({ method: 'GET', url: '/ready' });
  return { status: response.statusCode, body: response.json() };
};

describe('parking a poison event', () => {
  let poisonOrg: string;
  let position: string;

  it('stops the projection at the event it cannot apply, and /ready names the projection and the position', async () => {
    poisonOrg = await api.registerOrg(`org-${MARKER}`);
    await waitFor(async () => (await orgsStatus()).state === 'failed', 5000, 'the orgs projection to stop');
    const status = await orgsStatus();
    expect(status.failure).toMatchObject({ type: 'OrgRegistered', streamId: `org-${poisonOrg}` });
    position = status.failure.position;
    const answer = await ready();
    expect(answer.status).toBe(503);
    expect(answer.body.status).toBe('not_ready');
    expect(answer.body.checks.projections).toEqual({ ok: false, detail: `stopped: orgs at position ${position}` });
  });

  it('refuses a park that is not the event the projection stopped at, by a non-admin, or malformed, changing nothing', async () => {
    const wrong = await api.post('/admin/projections/orgs/parked', { position: String(BigInt(position) - 1n), reason: 'not this one' });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json()).toMatchObject({ code: 'PROJECTION_NOT_STOPPED_THERE', details: { stoppedAt: position } });
    expect((await api.post('/admin/projections/nope/parked', { position, reason: 'x' })).statusCode).toBe(404);
    expect((await api.post('/admin/projections/orgs/parked', { position, reason: '' })).statusCode).toBe(400);
    expect((await api.post('/admin/projections/orgs/parked', { position: '0x1', reason: 'x' })).statusCode).toBe(400);
    const outsider = await api.subjectWithKey('outsider');
    const denied = await api.post('/admin/projections/orgs/parked', { position, reason: 'let me' }, outsider.key);
    expect(denied.statusCode).toBe(403);
    expect(JSON.stringify(denied.json())).not.toContain(position);
    expect((await orgsStatus()).state).toBe('failed');
    expect((await api.expectStatus(await api.get('/admin/projections/parked'), 200)).parked).toEqual([]);
  });

  it('parks it by an audited admin command, and the projection goes on past it', async () => {
    const parked = await api.expectStatus(await api.post('/admin/projections/orgs/parked', { position, reason: 'unstorable org name; fix coming' }), 201);
    expect(parked.events.map((event: { type: string }) => event.type)).toEqual(['DecisionRecorded', 'ProjectionEventParked']);
    const later = await api.registerOrg('after-the-poison');
    await waitFor(async () => (await server.platform.docs.get(ORGS, later)) !== undefined, 5000, 'the orgs projection to go on');
    expect((await orgsStatus()).state).not.toBe('failed');
    expect(await server.platform.docs.get(ORGS, poisonOrg)).toBeUndefined();
    expect((await ready()).status).toBe(200);

    // The log says who parked what and why.
    const recorded = [];
    for await (const event of server.platform.store.readStream('projection-orgs')) if (event.type !== 'DecisionRecorded') recorded.push(event);
    expect(recorded).toEqual([
      expect.objectContaining({
        type: 'ProjectionEventParked',
        data: expect.objectContaining({
          projection: 'orgs',
          position,
          reason: 'unstorable org name; fix coming',
          event: expect.objectContaining({ type: 'OrgRegistered' }),
        }),
        metadata: expect.objectContaining({ principal: expect.objectContaining({ kind: 'admin' }) }),
      }),
    ]);
    const listed = await api.expectStatus(await api.get('/admin/projections/parked'), 200);
    expect(listed.parked).toEqual([expect.objectContaining({ projection: 'orgs', position, parkedBy: expect.objectContaining({ kind: 'admin' }) })]);
    const metrics = await api.get('/metrics');
    expect(metrics.body).toContain('agencygrid_projection_parked_events{projection="orgs"} 1');
    const again = await api.post('/admin/projections/orgs/parked', { position, reason: 'twice' });
    expect(again.statusCode).toBe(409);
  });

  it('retries: still failing, it stays parked and nothing is recorded; once fixed, it is applied and unparked', async () => {
    const still = await api.post(`/admin/projections/orgs/parked/${position}/retry`, { reason: 'try again' });
    expect(still.statusCode).toBe(409);
    expect(still.json()).toMatchObject({ code: 'PARKED_EVENT_STILL_FAILS' });
    expect((await api.expectStatus(await api.get('/admin/projections/parked'), 200)).parked).toHaveLength(1);
    expect((await api.post(`/admin/projections/orgs/parked/${BigInt(position) + 1n}/retry`, { reason: 'x' })).statusCode).toBe(404);

    fix();
    const retried = await api.expectStatus(await api.post(`/admin/projections/orgs/parked/${position}/retry`, { reason: 'fix deployed' }), 200);
    expect(retried.events.map((event: { type: string }) => event.type)).toEqual(['DecisionRecorded', 'ProjectionEventUnparked']);
    expect(await server.platform.docs.get(ORGS, poisonOrg)).toMatchObject({ _id: poisonOrg });
    expect((await api.expectStatus(await api.get('/admin/projections/parked'), 200)).parked).toEqual([]);
    expect((await api.post(`/admin/projections/orgs/parked/${position}/retry`, { reason: 'again' })).statusCode).toBe(404);
  });
});
