import { describe, expect, it } from 'vitest';
import { orgStateAsOf, positionAtTime, subjectRolesAt, membersAt } from '../../domain/audit/as-of.ts';
import { stateView } from '../../domain/audit/state-view.ts';
import { StreamTimeline } from '../../domain/audit/timeline.ts';
import { rosterDecider } from '../../domain/roster/decider.ts';
import { ALICE, BOB, LogBuilder, ORG } from './audit.support.ts';

const permitAll = [{ id: 'everyone', effect: 'permit' as const, actions: ['org.update'], reason: 'anyone updates' }];

/** org registered @1, roles @2-3, others' events 4-5, Alice writer @6 (org-wide) and Bob editor @7 (job space alpha, expiring), policy v1 drafted @8 published @9, Alice revoked @10. */
function history() {
  const log = new LogBuilder();
  const registered = log.registerOrg();
  log.defineRole('writer');
  log.defineRole('editor', ['writer']);
  log.skip(2);
  const aliceWriter = log.grant('a0000000-0000-4000-8000-00000000000a', ALICE, 'writer');
  const bobEditor = log.grant('b0000000-0000-4000-8000-00000000000b', BOB, 'editor', { jobSpace: 'alpha', expiresAt: '2026-03-01T12:00:00.000Z' });
  const drafted = log.draft(1, permitAll);
  const published = log.publish(1);
  const revoked = log.revoke('a0000000-0000-4000-8000-00000000000a');
  return { log, registered, aliceWriter, bobEditor, drafted, published, revoked };
}

describe('audit: state as of a position', () => {
  it('folds exactly the events at or before the position, for each of the three streams', () => {
    const { log, registered, aliceWriter, published, revoked } = history();
    const timelines = log.timelines();
    const at = (position: bigint) => orgStateAsOf(timelines, { by: 'position', position, at: '2026-03-01T11:00:00.000Z' });

    expect(at(registered.position - 1n).org).toBeNull();
    expect(at(registered.position - 1n).effectivePolicy.source).toBe('none');
    expect(at(registered.position).org).toMatchObject({ orgId: ORG, status: 'active' });
    expect(at(registered.position).effectivePolicy.source).toBe('default');

    // Positions 4 and 5 belong to other streams: the state does not move.
    expect(at(5n).roster.roles.size).toBe(2);
    expect(at(5n).roster.associations.size).toBe(0);

    expect(at(aliceWriter.position - 1n).roster.associations.size).toBe(0);
    expect(at(aliceWriter.position).roster.associations.get('a0000000-0000-4000-8000-00000000000a')?.status).toBe('active');
    expect(at(aliceWriter.position).rosterRevision).toBe(aliceWriter.revision);

    expect(at(published.position - 1n).effectivePolicy).toMatchObject({ source: 'default' });
    expect(at(published.position - 1n).policy.versions.get(1)?.status).toBe('draft');
    expect(at(published.position).effectivePolicy).toMatchObject({ source: 'org', version: 1 });

    expect(at(revoked.position - 1n).roster.associations.get('a0000000-0000-4000-8000-00000000000a')?.status).toBe('active');
    expect(at(revoked.position).roster.associations.get('a0000000-0000-4000-8000-00000000000a')?.status).toBe('revoked');
    expect(at(revoked.position).events).toEqual({ org: 1, roster: 5, policy: 2 });
  });

  it('gives effective roles at the instant of the cut: inheritance, job spaces, expiry without an event', () => {
    const { log, bobEditor } = history();
    const roster = orgStateAsOf(log.timelines(), { by: 'position', position: bobEditor.position, at: '2026-03-01T11:00:00.000Z' }).roster;
    expect(subjectRolesAt(roster, BOB, '2026-03-01T11:00:00.000Z', null).roles).toEqual([]);
    expect(subjectRolesAt(roster, BOB, '2026-03-01T11:00:00.000Z', 'alpha').roles).toEqual(['editor', 'writer']);
    expect(subjectRolesAt(roster, BOB, '2026-03-01T11:00:00.000Z', '*').roles).toEqual(['editor', 'writer']);
    // The association expires at 12:00: no event, yet an hour later Bob holds nothing.
    expect(subjectRolesAt(roster, BOB, '2026-03-01T13:00:00.000Z', 'alpha').roles).toEqual([]);
    expect(membersAt(roster, '2026-03-01T11:00:00.000Z').map((member) => member.subjectId)).toEqual([ALICE, BOB].sort());
    expect(membersAt(roster, '2026-03-01T13:00:00.000Z').map((member) => member.subjectId)).toEqual([ALICE]);
  });

  it('cuts a time at the last event whose occurredAt is at or before it, even when clocks disagree with positions', () => {
    const { log, aliceWriter, bobEditor } = history();
    const events = [...log.history.org, ...log.history.roster, ...log.history.policy];
    expect(positionAtTime(events, aliceWriter.occurredAt)).toBe(aliceWriter.position);
    expect(positionAtTime(events, new Date(Date.parse(bobEditor.occurredAt) - 1).toISOString())).toBe(aliceWriter.position);
    expect(positionAtTime(events, '2000-01-01T00:00:00Z')).toBe(0n);
    // Offsets are instants: 11:04+01:00 is 10:04Z, when Alice's grant happened.
    expect(positionAtTime(events, '2026-03-01T11:04:00+01:00')).toBe(aliceWriter.position);
    // A later event stamped earlier (another process's clock): the cut is at the last position whose time qualifies.
    const skewed = [...events, { ...aliceWriter, position: 100n, revision: 99n, occurredAt: '2026-03-01T10:00:30.000Z' }];
    expect(positionAtTime(skewed, '2026-03-01T10:00:30.000Z')).toBe(100n);
  });

  it('renders the state as JSON: maps as lists, associations active at the instant, the subject asked about', () => {
    const { log, revoked } = history();
    const state = orgStateAsOf(log.timelines(), { by: 'position', position: revoked.position, at: '2026-03-01T11:00:00.000Z' });
    const view = stateView(state, 42n, { subjectId: BOB, jobSpace: 'alpha' });
    expect(view.cut).toEqual({ by: 'position', position: String(revoked.position), at: '2026-03-01T11:00:00.000Z', head: '42' });
    expect(view.revisions).toEqual({ org: 0, roster: 4, policy: 1 });
    expect(view.roster.associations.map((association) => [association.subjectId, association.status, association.activeAt])).toEqual([
      [ALICE, 'revoked', false],
      [BOB, 'active', true],
    ]);
    expect(view.policy).toMatchObject({ published: 1, versions: [{ version: 1, status: 'published' }] });
    expect(view.subject).toMatchObject({ subjectId: BOB, jobSpace: 'alpha', roles: ['editor', 'writer'] });
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });
});

describe('audit: stream timeline', () => {
  it('gives the same state for any revision, whatever order revisions are asked in', () => {
    const log = new LogBuilder();
    log.defineRole('writer');
    for (let index = 0; index < 40; index += 1) {
      const id = `c0000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
      log.grant(id, index % 2 === 0 ? ALICE : BOB, 'writer');
      if (index % 3 === 0) log.revoke(id);
    }
    const events = log.history.roster;
    const fresh = (revision: number) => new StreamTimeline(rosterDecider, events, 1_000).stateAtRevision(BigInt(revision));
    const timeline = new StreamTimeline(rosterDecider, events, 4);
    const order = [10, 3, 50, 0, 49, 17, 16, 53, -1, 25, 53, 2];
    for (const revision of order) {
      const state = timeline.stateAtRevision(BigInt(revision));
      const expected = fresh(revision);
      expect([...state.associations.values()], `revision ${revision}`).toEqual([...expected.associations.values()]);
    }
    expect(timeline.head).toBe(BigInt(events.length - 1));
    expect(timeline.revisionAtPosition(0n)).toBe(-1n);
  });
});
