import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisAvailability } from '../../infra/redis/availability.ts';
import { connectRateLimitRedis, RateCounter, type RateLimitRedis } from '../../infra/rate-limit/counter.ts';

const unavailable = () => true;
const failFast = () => new Error('fail fast');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisAvailability', () => {
  it('fails at once after an unavailability, then lets one call probe, and is up again when it answers', async () => {
    const availability = new RedisAvailability(50);
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(new Error('timed out'));
    };
    await expect(availability.run(failing, unavailable, failFast)).rejects.toThrow('timed out');
    await expect(availability.run(failing, unavailable, failFast)).rejects.toThrow('fail fast');
    expect(calls).toBe(1);

    await sleep(60); // a fixed wait: the 50 ms fail-fast window passes (wall time is the behaviour)
    let answer!: (value: string) => void;
    const probe = availability.run(() => new Promise<string>((resolve) => (answer = resolve)), unavailable, failFast);
    // While the probe is in flight, the others keep failing at once.
    await expect(availability.run(failing, unavailable, failFast)).rejects.toThrow('fail fast');
    answer('pong');
    await expect(probe).resolves.toBe('pong');
    await expect(availability.run(() => Promise.resolve(1), unavailable, failFast)).resolves.toBe(1);
  });

  it('does not count a failure that is not unavailability (a reply from the server)', async () => {
    const availability = new RedisAvailability(60_000);
    await expect(
      availability.run(
        () => Promise.reject(new Error('WRONGTYPE')),
        () => false,
        failFast,
      ),
    ).rejects.toThrow('WRONGTYPE');
    await expect(availability.run(() => Promise.resolve('ok'), unavailable, failFast)).resolves.toBe('ok');
  });
});

describe('RateCounter on a frozen Redis (connection accepted, no answers)', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  let connection: RateLimitRedis | undefined;
  afterEach(async () => {
    connection?.close();
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('lets requests through: one call timeout, then at once until a probe is due', async () => {
    const listening = createServer((socket) => void sockets.push(socket));
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    connection = connectRateLimitRedis(`redis://127.0.0.1:${port}`, 'test-rate-limit', { commandTimeoutMs: 100, retryAfterMs: 60_000 });
    const counter = new RateCounter({ max: 1, windowMs: 60_000, keyPrefix: 'test:', redis: connection });

    let started = Date.now();
    expect((await counter.hit('a')).allowed).toBe(true);
    expect(Date.now() - started).toBeLessThan(900);
    started = Date.now();
    for (let hit = 0; hit < 5; hit += 1) expect((await counter.hit('a')).allowed).toBe(true);
    expect(Date.now() - started).toBeLessThan(50);
  });
});
