import { isAppError } from '../domain/shared/app-error.ts';
import { systemPrincipal } from '../domain/shared/principal.ts';
import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import { rosterAggregate } from '../commands/handlers/roster.ts';
import type { CommandPipeline } from '../commands/pipeline.ts';
import type { LogConsumer } from '../infra/log-consumer/log-consumer.ts';
import { DueProcess } from './due-process.ts';
import { DueSchedule, type Due, type DueOutcome } from './due-schedule.ts';

const ROSTER_EVENTS = ['RoleGranted', 'RoleRevoked', 'AssociationExpired'];

interface Pending extends Due {
  orgId: string;
  associationId: string;
}

/**
 * Records the expiry of role associations. An association stops counting at its expiry whatever happens here
 * (effective roles compare with the clock); this process makes the expiry a fact in the log, for the audit trail.
 * Its schedule is rebuilt from the log on every start, so an expiry that fell while the platform was down is
 * recorded on the next start. The command id is derived from the association, so two instances record it once.
 */
export class AssociationExpiryProcess extends DueProcess<Pending> {
  protected readonly schedule: DueSchedule<Pending>;

  constructor(
    consumer: LogConsumer,
    registry: PlatformEventRegistry,
    private readonly pipeline: CommandPipeline,
    private readonly options: { tickMs?: number; clock?: () => Date } = {},
  ) {
    super();
    this.schedule = new DueSchedule(consumer, registry, {
      name: 'association-expiry',
      eventTypes: ROSTER_EVENTS,
      follow(event, pending) {
        if (event.type === 'RoleGranted' && event.data.association.expiresAt !== null) {
          const { associationId, expiresAt } = event.data.association;
          pending.set(associationId, { orgId: event.data.orgId, associationId, dueAt: Date.parse(expiresAt) });
        } else if (event.type === 'RoleRevoked' || event.type === 'AssociationExpired') {
          pending.delete(event.data.associationId);
        }
      },
      tick: () => this.expireDue(),
      tickMs: options.tickMs,
    });
  }

  /** Issues ExpireAssociation for every association whose expiry has passed. */
  async expireDue(): Promise<number> {
    const now = (this.options.clock ?? (() => new Date()))().getTime();
    return this.schedule.actOnDue(now, (due) => this.expire(due));
  }

  private async expire(due: Pending): Promise<DueOutcome> {
    const result = await this.pipeline.execute(
      rosterAggregate,
      { type: 'ExpireAssociation', data: { orgId: due.orgId, associationId: due.associationId } },
      { commandId: `expire-association:${due.associationId}`, principal: systemPrincipal, retryable: true },
    );
    // Recorded now or before (replayed): counted. Unavailable (store down, shutting down): retried next tick. Any
    // other refusal (the org was deleted from under it, a policy forbids it) will not change by retrying.
    if (!isAppError(result)) return 'counted';
    return result.kind === 'unavailable' ? 'again' : 'done';
  }
}
