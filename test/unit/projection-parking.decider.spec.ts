import { describe, expect, it } from 'vitest';
import { knownActions } from '../../commands/known-actions.ts';
import { projectionParkingAggregate } from '../../commands/handlers/projection-parking.ts';
import { projectionParkingCommandSchema, type ProjectionParkingCommand } from '../../domain/projection-parking/commands.ts';
import { projectionParkingDecider } from '../../domain/projection-parking/decider.ts';
import type { ProjectionEventParked } from '../../domain/projection-parking/events.ts';
import type { DecisionContext } from '../../domain/shared/decider.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const admin: Principal = { id: 'admin:ops', kind: 'admin' };
const context: DecisionContext = { now: new Date(0).toISOString(), principal: admin, commandId: 'cmd-1' };
const spec = deciderSpec(projectionParkingDecider, context);

const event = { eventId: 'e-1', type: 'OrgRegistered', streamId: 'org-1' };
const park = (position = '42', reason = 'cannot store the name'): ProjectionParkingCommand => ({
  type: 'ParkProjectionEvent',
  data: { projection: 'orgs', position, event, reason },
});
const unpark = (position = '42'): ProjectionParkingCommand => ({ type: 'UnparkProjectionEvent', data: { projection: 'orgs', position, reason: 'fixed' } });
const parked = (position = '42'): ProjectionEventParked => ({
  type: 'ProjectionEventParked',
  data: { projection: 'orgs', position, event, reason: 'cannot store the name', parkedBy: admin, parkedAt: context.now },
});

describe('parking an event of a projection', () => {
  it('records who parked which event, where and why', () => {
    spec.given([]).when(park()).thenEvents([parked()]);
  });

  it('refuses to park the same position twice, but parks another', () => {
    spec.given([parked()]).when(park()).thenError('EVENT_ALREADY_PARKED', { projection: 'orgs', position: '42' });
    spec.given([parked()]).when(park('43')).thenTypes(['ProjectionEventParked']);
  });

  it('unparks a parked event (a retry that succeeded), recording who and why, and only a parked one', () => {
    spec
      .given([parked()])
      .when(unpark())
      .thenEvents([
        { type: 'ProjectionEventUnparked', data: { projection: 'orgs', position: '42', reason: 'fixed', unparkedBy: admin, unparkedAt: context.now } },
      ]);
    spec.given([]).when(unpark()).thenError('PARKED_EVENT_NOT_FOUND');
    spec
      .given([
        parked(),
        { type: 'ProjectionEventUnparked', data: { projection: 'orgs', position: '42', reason: 'fixed', unparkedBy: admin, unparkedAt: context.now } },
      ])
      .when(unpark())
      .thenError('PARKED_EVENT_NOT_FOUND');
  });

  it('validates names, positions and reasons at the boundary', () => {
    expect(projectionParkingCommandSchema.safeParse(park('0')).success).toBe(false);
    expect(projectionParkingCommandSchema.safeParse(park('1e3')).success).toBe(false);
    expect(projectionParkingCommandSchema.safeParse(park('42', '   ')).success).toBe(false);
    expect(projectionParkingCommandSchema.safeParse({ ...park(), data: { ...park().data, projection: '../orgs' } }).success).toBe(false);
  });

  it('is governed as platform.projections.park / .retry, platform-level', () => {
    expect(projectionParkingAggregate.actionOf(park())).toBe('platform.projections.park');
    expect(projectionParkingAggregate.actionOf(unpark())).toBe('platform.projections.retry');
    expect(projectionParkingAggregate.orgIdOf(park())).toBeNull();
    expect(projectionParkingAggregate.streamOf(park())).toBe('projection-orgs');
    expect(knownActions()).toEqual(expect.arrayContaining(['platform.projections.park', 'platform.projections.retry']));
  });
});
