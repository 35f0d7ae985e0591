import { setTimeout as sleep } from 'node:timers/promises';
import { isAppError } from '../domain/shared/app-error.ts';
import { systemPrincipal } from '../domain/shared/principal.ts';
import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import { rosterAggregate } from '../commands/handlers/roster.ts';
import type { CommandPipeline } from '../commands/pipeline.ts';
import type { ProcessorCursor } from '../infra/log-consumer/cursor.ts';
import type { LogConsumer } from '../infra/log-consumer/log-consumer.ts';
import { retryLikeAnOutage } from '../infra/log-consumer/processor.ts';
import type { OutageStatus } from '../infra/outage/dependency-outage.ts';

const ROSTER_EVENTS = ['RoleGranted', 'RoleRevoked', 'AssociationExpired'];

interface Pending {
  orgId: string;
  associationId: string;
  expiresAt: number;
}

/**
 * Records the expiry of role associations. An association stops counting at its expiry whatever happens here
 * (effective roles compare with the clock); this process makes the expiry a fact in the log, for the audit trail.
 * Its schedule is rebuilt from the log on every start, so an expiry that fell while the platform was down is
 * recorded on the next start. The command id is derived from the association, so two instances record it once.
 */
export class AssociationExpiryProcess {
  private readonly pending = new Map<string, Pending>();
  private cursor: ProcessorCursor | undefined;
  private ticker: Promise<void> | undefined;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly consumer: LogConsumer,
    private readonly registry: PlatformEventRegistry,
    private readonly pipeline: CommandPipeline,
    private readonly options: { tickMs?: number; clock?: () => Date } = {},
  ) {}

  start(): void {
    this.cursor = this.consumer.attach(
      {
        name: 'association-expiry',
        wants: { eventTypes: ROSTER_EVENTS },
        failure: retryLikeAnOutage,
        handle: (recorded) => {
          const event = this.registry.decode(recorded.type, recorded.data, recorded.metadata);
          if (event.type === 'RoleGranted' && event.data.association.expiresAt !== null) {
            const { associationId, expiresAt } = event.data.association;
            this.pending.set(associationId, { orgId: event.data.orgId, associationId, expiresAt: Date.parse(expiresAt) });
          } else if (event.type === 'RoleRevoked' || event.type === 'AssociationExpired') {
            this.pending.delete(event.data.associationId);
          }
        },
      },
      0n,
    );
    this.ticker = this.tick();
  }

  private async tick(): Promise<void> {
    while (!this.stopped) {
      await this.expireDue();
      await sleep(this.options.tickMs ?? 1000, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  /** Issues ExpireAssociation for every association whose expiry has passed. */
  async expireDue(): Promise<number> {
    const now = (this.options.clock ?? (() => new Date()))().getTime();
    let recorded = 0;
    for (const due of [...this.pending.values()].filter((item) => item.expiresAt <= now)) {
      if (this.stopped) break;
      const result = await this.pipeline.execute(
        rosterAggregate,
        { type: 'ExpireAssociation', data: { orgId: due.orgId, associationId: due.associationId } },
        { commandId: `expire-association:${due.associationId}`, principal: systemPrincipal, retryable: true },
      );
      // Recorded now or before (replayed): done. Unavailable (store down, shutting down): retried next tick. Any
      // other refusal (the org was deleted from under it, a policy forbids it) will not change by retrying.
      if (isAppError(result) && result.kind === 'unavailable') continue;
      this.pending.delete(due.associationId);
      if (!isAppError(result)) recorded += 1;
    }
    return recorded;
  }

  /** Why it is not following the log now (a dependency outage it waits out), if it is not. */
  get waiting(): OutageStatus | null {
    return this.cursor?.waiting ?? null;
  }

  get scheduled(): number {
    return this.pending.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.cursor?.stop();
    await this.ticker;
  }
}
