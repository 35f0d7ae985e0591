import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import { API_KEY_STREAM_PREFIX } from '../domain/credential/events.ts';
import type { Principal } from '../domain/shared/principal.ts';
import type { AllSubscription, EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
import { OutageWait, unavailableDependency, type OutageStatus } from '../infra/outage/dependency-outage.ts';

const API_KEY_FILTER = { streamPrefixes: [API_KEY_STREAM_PREFIX] };

interface KeyRecord {
  keyId: string;
  principal: Principal;
  active: boolean;
}

/**
 * In-memory read model of API keys, built from the log: catch up with a read of `$all`, then follow it live.
 * Authentication looks keys up by hash, so the presented key is never compared character by character.
 */
export class ApiKeyIndex {
  private readonly byHash = new Map<string, KeyRecord>();
  private readonly byKeyId = new Map<string, KeyRecord>();
  private checkpoint = 0n;
  private subscription: AllSubscription | undefined;
  private following: Promise<void> | undefined;
  private stopped = false;
  private waiters: Array<{ position: bigint; resolve: () => void }> = [];
  private failure: unknown;
  private readonly outage = new OutageWait();
  private readonly abort = new AbortController();

  constructor(
    private readonly store: EventStore,
    private readonly registry: PlatformEventRegistry,
  ) {}

  async start(): Promise<void> {
    const head = await this.store.headPosition();
    for await (const event of this.store.readAll({ filter: API_KEY_FILTER })) {
      if (event.position > head) break;
      this.apply(event);
    }
    this.checkpoint = head;
    this.following = this.follow();
  }

  /**
   * Follows the log from the checkpoint; when the subscription drops (EventStoreDB subscriptions end on a lost
   * connection), resubscribes with backoff. While it is down the index is unhealthy and authentication answers
   * 503 rather than trusting possibly stale keys.
   */
  private async follow(): Promise<void> {
    while (!this.stopped) {
      const subscription = this.store.subscribeToAll({
        afterPosition: this.checkpoint,
        filter: API_KEY_FILTER,
        // No key events up to there: the index reflects that position too (waitFor), and resubscribes from there.
        checkpointReached: (position) => this.reached(position),
      });
      this.subscription = subscription;
      try {
        if (this.failure !== undefined) {
          await this.store.headPosition();
          this.failure = undefined;
          this.outage.recovered();
        }
        for await (const event of subscription) {
          this.apply(event);
          this.outage.recovered();
        }
        if (this.stopped) return;
        this.failure = new Error('subscription ended');
      } catch (error) {
        if (this.stopped) return;
        this.failure = error;
      }
      await this.outage.wait(unavailableDependency(this.failure) ?? 'event-store', this.failure, this.abort.signal);
    }
  }

  /** The outage it waits out while it does not follow the log (authentication answers 503 meanwhile), if any. */
  get waiting(): OutageStatus | null {
    return this.outage.status;
  }

  private apply(recorded: RecordedEvent): void {
    const event = this.registry.decode(recorded.type, recorded.data, recorded.metadata);
    if (event.type === 'ApiKeyIssued') {
      const record = { keyId: event.data.keyId, principal: event.data.principal, active: true };
      this.byHash.set(event.data.keyHash, record);
      this.byKeyId.set(event.data.keyId, record);
    } else if (event.type === 'ApiKeyRevoked') {
      const record = this.byKeyId.get(event.data.keyId);
      if (record) record.active = false;
    }
    this.reached(recorded.position);
  }

  private reached(position: bigint): void {
    if (position > this.checkpoint) this.checkpoint = position;
    this.waiters = this.waiters.filter((waiter) => (waiter.position <= this.checkpoint ? (waiter.resolve(), false) : true));
  }

  principalFor(keyHash: string): (Principal & { keyId: string }) | undefined {
    const record = this.byHash.get(keyHash);
    return record?.active ? { ...record.principal, keyId: record.keyId } : undefined;
  }

  hasActiveAdminKey(): boolean {
    for (const record of this.byKeyId.values()) if (record.active && record.principal.kind === 'admin') return true;
    return false;
  }

  /** The principal an active key acts as, by key id (for rotation checks; never for authentication). */
  keyOwner(keyId: string): Principal | undefined {
    const record = this.byKeyId.get(keyId);
    return record?.active ? record.principal : undefined;
  }

  knowsHash(keyHash: string): boolean {
    return this.byHash.has(keyHash);
  }

  get healthy(): boolean {
    return this.subscription !== undefined && this.failure === undefined;
  }

  /** Resolves once the index reflects `position`, so a key can be used as soon as issuing it returns. */
  async waitFor(position: bigint, timeoutMs = 5000): Promise<boolean> {
    if (this.checkpoint >= position) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push({
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.subscription?.unsubscribe();
    await this.following;
  }
}
