import type { EventRegistry } from '../domain/events/registry.ts';
import { API_KEY_STREAM_PREFIX, type CredentialEvent } from '../domain/credential/events.ts';
import type { Principal } from '../domain/shared/principal.ts';
import type { AllSubscription, EventStore, RecordedEvent } from '../infra/eventstore/port.ts';

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
  private waiters: Array<{ position: bigint; resolve: () => void }> = [];
  private failure: unknown;

  constructor(
    private readonly store: EventStore,
    private readonly registry: EventRegistry,
  ) {}

  async start(): Promise<void> {
    const filter = { streamPrefixes: [API_KEY_STREAM_PREFIX] };
    const head = await this.store.headPosition();
    for await (const event of this.store.readAll({ filter })) {
      if (event.position > head) break;
      this.apply(event);
    }
    this.checkpoint = head;
    this.subscription = this.store.subscribeToAll({ afterPosition: head, filter });
    void this.follow(this.subscription);
  }

  private async follow(subscription: AllSubscription): Promise<void> {
    try {
      for await (const event of subscription) this.apply(event);
    } catch (error) {
      // A broken index must not keep authenticating with stale data.
      this.failure = error;
      this.byHash.clear();
    }
  }

  private apply(recorded: RecordedEvent): void {
    const event = { type: recorded.type, data: this.registry.decode(recorded.type, recorded.data, recorded.metadata) } as CredentialEvent;
    if (event.type === 'ApiKeyIssued') {
      const record = { keyId: event.data.keyId, principal: event.data.principal, active: true };
      this.byHash.set(event.data.keyHash, record);
      this.byKeyId.set(event.data.keyId, record);
    } else if (event.type === 'ApiKeyRevoked') {
      const record = this.byKeyId.get(event.data.keyId);
      if (record) record.active = false;
    }
    this.checkpoint = recorded.position;
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

  isKnown(keyId: string): boolean {
    return this.byKeyId.has(keyId);
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
    await this.subscription?.unsubscribe();
  }
}
