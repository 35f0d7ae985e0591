import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import { API_KEY_STREAM_PREFIX } from '../domain/credential/events.ts';
import type { Principal } from '../domain/shared/principal.ts';
import type { RecordedEvent } from '../infra/eventstore/port.ts';
import type { ProcessorCursor } from '../infra/log-consumer/cursor.ts';
import type { LogConsumer } from '../infra/log-consumer/log-consumer.ts';
import { retryLikeAnOutage } from '../infra/log-consumer/processor.ts';
import type { OutageStatus } from '../infra/outage/dependency-outage.ts';

const API_KEY_FILTER = { streamPrefixes: [API_KEY_STREAM_PREFIX] };

interface KeyRecord {
  keyId: string;
  principal: Principal;
  active: boolean;
}

/**
 * In-memory read model of API keys, built from the log: a processor on the LogConsumer that reads the key streams
 * from the start of the log, then follows it. Authentication looks keys up by hash, so the presented key is never
 * compared character by character.
 */
export class ApiKeyIndex {
  private readonly byHash = new Map<string, KeyRecord>();
  private readonly byKeyId = new Map<string, KeyRecord>();
  private cursor: ProcessorCursor | undefined;

  constructor(
    private readonly consumer: LogConsumer,
    private readonly registry: PlatformEventRegistry,
  ) {}

  /** Resolves once the index has read the log up to its head at the start. */
  async start(): Promise<void> {
    const head = await this.consumer.store.headPosition();
    this.cursor = this.consumer.attach({ name: 'api-key-index', wants: API_KEY_FILTER, failure: retryLikeAnOutage, handle: (event) => this.apply(event) }, 0n);
    await this.cursor.until(head);
  }

  /**
   * The outage it waits out while it does not follow the log (the tail's subscription dropped, an event it cannot
   * read yet), if any. Authentication answers 503 meanwhile rather than trusting possibly stale keys.
   */
  get waiting(): OutageStatus | null {
    return this.cursor?.waiting ?? null;
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
    return this.cursor !== undefined && this.cursor.state !== 'stopped' && this.cursor.waiting === null;
  }

  /** Resolves once the index reflects `position`, so a key can be used as soon as issuing it returns. */
  async waitFor(position: bigint, timeoutMs = 5000): Promise<boolean> {
    return this.cursor?.waitFor(position, timeoutMs) ?? false;
  }

  async stop(): Promise<void> {
    await this.cursor?.stop();
  }
}
