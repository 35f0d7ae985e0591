import { randomUUID } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, createConnection, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheUnavailableError } from '../../infra/cache/errors.ts';
import { RedisCache, type RedisCacheOptions, escapeGlob } from '../../infra/cache/redis.ts';
import { waitFor } from '../support/async.ts';
import { serviceUrl } from '../support/services.ts';
import { describeCacheContract } from './cache.contract.ts';

const url = serviceUrl('redis', 'REDIS_URL');
const namespace = () => `agtest:${randomUUID().slice(0, 8)}:`;

/** A TCP server we can stop and restart on the same port; `target` absent = accepts connections and never answers. */
class TcpStub {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** While frozen, what clients send is held (as a SIGSTOPped server's kernel buffer would), and sent on thaw. */
  private frozen = false;
  private held: Array<() => void> = [];
  /** Bytes clients sent while frozen. */
  heldBytes = 0;
  constructor(private readonly target?: { host: string; port: number }) {}

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const send of this.held.splice(0)) send();
  }

  async start(): Promise<void> {
    const server = createServer((client) => {
      this.track(client);
      if (!this.target) return;
      const upstream = this.track(createConnection(this.target.port, this.target.host));
      client.on('data', (chunk: Buffer) => {
        if (!this.frozen) return void upstream.write(chunk);
        this.heldBytes += chunk.length;
        this.held.push(() => upstream.write(chunk));
      });
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  close(): Promise<void> {
    return this.stop();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    return socket;
  }
}

/** How long a call took to settle, and what it rejected with (undefined when it resolved). */
const timed = async (call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> => {
  const started = Date.now();
  let error: unknown;
  try {
    await call();
  } catch (caught) {
    error = caught;
  }
  return { error, ms: Date.now() - started };
};

if (url) {
  // The contract is about semantics; it issues thousands of concurrent calls on a loaded CI machine, so it runs with a
  // generous timeout rather than the short production default (CACHE_TIMEOUT_MS).
  describeCacheContract('Redis', async (keyPrefix) => RedisCache.connect(url, { keyPrefix, commandTimeoutMs: 5000 }));

  describe('Redis cache, with a server', () => {
    const opened: RedisCache[] = [];
    const stubs: TcpStub[] = [];
    afterEach(async () => {
      for (const cache of opened.splice(0)) {
        await cache.deleteByPrefix('').catch(() => 0);
        await cache.close();
      }
      await Promise.all(stubs.splice(0).map((stub) => stub.stop()));
    });

    /** A cache that reaches Redis through a proxy the test can stop or freeze; both are closed after the test. */
    const throughProxy = async (options: Omit<RedisCacheOptions, 'keyPrefix'>) => {
      const target = new URL(url);
      const proxy = new TcpStub({ host: target.hostname, port: Number(target.port || 6379) });
      stubs.push(proxy);
      await proxy.start();
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      const cache = RedisCache.connect(proxied.toString(), { keyPrefix: namespace(), ...options });
      opened.push(cache);
      return { proxy, cache };
    };

    it('loses no update when two connections increment the same counter concurrently', async () => {
      const keyPrefix = namespace();
      const one = RedisCache.connect(url, { keyPrefix });
      const two = RedisCache.connect(url, { keyPrefix });
      opened.push(one, two);
      await Promise.all(Array.from({ length: 200 }, (_, n) => (n % 2 === 0 ? one : two).increment('counter')));
      expect(await one.get('counter')).toBe('200');
    });

    // Plain TCP proxy: with rediss:// the certificate would not match 127.0.0.1.
    it.skipIf(new URL(url).protocol !== 'redis:')('fails fast while Redis is down and recovers by itself when it is back', async () => {
      const { proxy, cache } = await throughProxy({ reconnectAttempts: 1, retryAfterMs: 300 });
      await cache.set('k', 'v');

      await proxy.stop();
      const during = await timed(() => cache.get('k'));
      expect(during.error).toBeInstanceOf(CacheUnavailableError);
      expect(during.ms).toBeLessThan(1500);
      // The client has given up: calls now fail at once instead of waiting.
      const fast = await timed(() => cache.get('k'));
      expect(fast.error).toBeInstanceOf(CacheUnavailableError);
      expect(fast.ms).toBeLessThan(50);

      await proxy.start();
      await waitFor(async () => (await cache.get('k').catch(() => null)) === 'v', 3000, 'the cache to reconnect');
    });

    it.skipIf(new URL(url).protocol !== 'redis:')(
      'on a frozen server (connection open, no replies), one call times out, the next ones fail without being sent',
      async () => {
        const { proxy, cache } = await throughProxy({ commandTimeoutMs: 100, retryAfterMs: 60_000 });
        await cache.set('k', 'v');

        proxy.freeze();
        await expect(cache.get('k')).rejects.toBeInstanceOf(CacheUnavailableError);
        const sent = proxy.heldBytes;
        expect(sent).toBeGreaterThan(0);
        const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => cache.get('k')));
        expect(outcomes.map((outcome) => outcome.status === 'rejected' && outcome.reason instanceof CacheUnavailableError)).toEqual(Array(20).fill(true));
        // None of them reached the server: each failed at once instead of waiting for its own timeout.
        expect(proxy.heldBytes).toBe(sent);
        proxy.thaw();
      },
    );

    it.skipIf(new URL(url).protocol !== 'redis:')('probes again after retryAfterMs and serves calls once the frozen server answers', async () => {
      const { proxy, cache } = await throughProxy({ commandTimeoutMs: 100, retryAfterMs: 200 });
      await cache.set('k', 'v');
      proxy.freeze();
      await expect(cache.get('k')).rejects.toBeInstanceOf(CacheUnavailableError);
      proxy.thaw();
      await waitFor(async () => (await cache.get('k').catch(() => null)) === 'v', 5000, 'the cache to answer again');
    });
  });
} else {
  describe.skip('Cache contract: Redis', () => {
    it('needs REDIS_URL', () => {});
  });
}

describe('Redis cache, without a server', () => {
  const closing: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((each) => each.close()));
  });

  it('rejects with CacheUnavailableError quickly when Redis refuses connections, then at once', async () => {
    const cache = RedisCache.connect('redis://127.0.0.1:1', { keyPrefix: 'agtest:', reconnectAttempts: 1, retryAfterMs: 60_000 });
    closing.push(cache);
    const first = await timed(() => cache.get('k'));
    expect(first.error).toBeInstanceOf(CacheUnavailableError);
    expect((first.error as Error).message).toMatch(/ECONNREFUSED|unavailable/i);
    expect(first.ms).toBeLessThan(2000);
    const second = await timed(() => cache.increment('k'));
    expect(second.error).toBeInstanceOf(CacheUnavailableError);
    expect(second.ms).toBeLessThan(50);
  });

  it('rejects with CacheUnavailableError within about 2 s when the default client cannot reach Redis', async () => {
    const cache = RedisCache.connect('redis://127.0.0.1:1', { keyPrefix: 'agtest:' });
    closing.push(cache);
    const outcome = await timed(() => cache.set('k', 'v'));
    expect(outcome.error).toBeInstanceOf(CacheUnavailableError);
    expect(outcome.ms).toBeLessThan(2000);
  });

  it('rejects with CacheUnavailableError when a server accepts the connection but never answers', async () => {
    const silent = new TcpStub();
    await silent.start();
    closing.push(silent);
    const cache = RedisCache.connect(`redis://127.0.0.1:${silent.port}`, { keyPrefix: 'agtest:' });
    closing.push(cache);
    const outcome = await timed(() => cache.get('k'));
    expect(outcome.error).toBeInstanceOf(CacheUnavailableError);
    expect(outcome.ms).toBeLessThan(2600);
  });

  it('connects lazily: creating and closing a cache never touches the network', async () => {
    const cache = RedisCache.connect('redis://127.0.0.1:1', { keyPrefix: 'agtest:' });
    await cache.close();
    await expect(cache.get('k')).rejects.toBeInstanceOf(CacheUnavailableError);
  });

  it('requires a non-empty key prefix', () => {
    expect(() => RedisCache.connect('redis://127.0.0.1:1', { keyPrefix: '' })).toThrow(RangeError);
  });

  it('escapes every glob metacharacter for MATCH', () => {
    expect(escapeGlob('a*b?c[d]e\\f^g-h')).toBe('a\\*b\\?c\\[d\\]e\\\\f^g-h');
  });
});
