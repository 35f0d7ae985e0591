import { appError, type AppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';

export interface StreamLimits {
  /** Streams one principal may hold open at once. */
  perPrincipal: number;
  /** Streams all principals together may hold open at once (this process). */
  total: number;
}

/** Gives the slot back; calling it again does nothing. */
export type ReleaseSlot = () => void;

/** How long a refused client should wait before trying again: streams end when their clients leave. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Open long-lived streams (SSE /events/stream, GraphQL subscriptions, /agent/inbox), counted per principal and in
 * total, so no caller can hold an unbounded number of log readers, sockets and buffers. One instance per server;
 * every kind of stream takes its slot here before it starts and gives it back when it ends, however it ends.
 */
export class StreamSlots {
  private readonly open = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: StreamLimits) {}

  /** A slot for one more stream of `principal`, or 429 TOO_MANY_STREAMS saying which limit (never how busy others are). */
  acquire(principal: Principal): ReleaseSlot | AppError {
    const key = `${principal.kind}:${principal.id}`;
    const mine = this.open.get(key) ?? 0;
    if (mine >= this.limits.perPrincipal) {
      return appError('rate_limited', 'TOO_MANY_STREAMS', `this principal already has ${mine} open streams, the most allowed; close one first`, {
        limit: 'perPrincipal',
        max: this.limits.perPrincipal,
        open: mine,
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    }
    if (this.total >= this.limits.total) {
      return appError('rate_limited', 'TOO_MANY_STREAMS', 'the server holds as many open streams as it allows; retry later', {
        limit: 'total',
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    }
    this.open.set(key, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left === 0) this.open.delete(key);
      else this.open.set(key, left);
    };
  }

  /** Streams open now: of one principal, or all. */
  count(principal?: Principal): number {
    return principal ? (this.open.get(`${principal.kind}:${principal.id}`) ?? 0) : this.total;
  }
}
