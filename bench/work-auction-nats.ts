import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { AgentClient, NatsBus, type AgentHandlers } from '../api/agent-client/index.ts';
import { bootstrapAdminKey } from '../api/auth/bootstrap-admin-key.ts';
import type { Platform } from '../api/platform.ts';
import { startPlatform } from '../bin/platform/start-platform.ts';
import { buildServer } from '../api/server.ts';
import { loadConfig } from '../infra/config/env.ts';
import { UNLIMITED_RATES } from './fixtures.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite.ts';
import { emit, now, progress, summarize } from './measure.ts';
import { EventClock } from './work-support.ts';

export interface AuctionOverNatsOptions {
  /** Jobs run one after another, each from submission to verified. */
  jobs: number;
  /** Agents bidding on every job (on their own NATS connections); one more agent verifies. */
  bidders: number;
  /** The org's `work.bidWindowMs` (the platform's minimum is 100). */
  bidWindowMs: number;
}

const ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmnopqrstuv';
const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
const JOB_TIMEOUT_MS = 30_000;

/**
 * The contract-net auction over a real NATS server: the platform (server in process, app.inject) on one connection,
 * each agent on its own (api/agent-client), everything in this one process (so clocks compare, and agents and
 * platform share the 2 cores). Without NATS_URL and with nothing listening on 127.0.0.1:4222, prints one `skipped`
 * line instead.
 */
export async function benchAuctionOverNats(options: AuctionOverNatsOptions): Promise<void> {
  const url = process.env.NATS_URL || ((await reachable('127.0.0.1', 4222)) ? DEFAULT_NATS_URL : undefined);
  if (url === undefined) {
    emit('work.auction.nats', Number.NaN, 'skipped', { skipped: true, reason: 'NATS_URL is not set and nothing listens on 127.0.0.1:4222' });
    progress('work: auction over NATS skipped (no NATS server)');
    return;
  }

  const dir = await mkdtemp(join(tmpdir(), 'agencygrid-bench-nats-'));
  let platform: Platform | undefined;
  let app: FastifyInstance | undefined;
  let clock: EventClock | undefined;
  const buses: NatsBus[] = [];
  const agents: AgentClient[] = [];
  try {
    const config = loadConfig({ AGENCYGRID_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'silent', DATA_DIR: dir, ...UNLIMITED_RATES, NATS_URL: url });
    platform = await startPlatform(config, new SqliteEventStore({ path: join(dir, 'events.db') }), pino({ level: 'silent' }));
    await bootstrapAdminKey(platform, ADMIN_KEY);
    app = await buildServer(platform);
    await app.ready();
    const server = app;
    const post = async (path: string, payload: unknown, expected: number): Promise<Record<string, unknown>> => {
      const response = await server.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${ADMIN_KEY}` }, payload: payload as object });
      if (response.statusCode !== expected) throw new Error(`${path}: ${response.statusCode} ${response.body.slice(0, 300)}`);
      return response.json<Record<string, unknown>>();
    };

    const slug = `bench-auction-${Date.now().toString(36)}`;
    const orgId = String(
      (
        await post(
          '/orgs',
          {
            name: slug,
            slug,
            metadata: { 'work.assignmentStrategy': 'auction', 'work.bidWindowMs': String(options.bidWindowMs), 'work.maxOpenAssignments': '1000' },
          },
          201,
        )
      ).orgId,
    );
    await post(`/orgs/${orgId}/roles`, { name: 'worker' }, 200);
    await post(`/orgs/${orgId}/roles`, { name: 'reviewer' }, 200);

    // Agent side: when each cfp arrived, and how long each propose request took to be answered.
    const cfpReceived = new Map<string, number[]>();
    const proposeRoundTrips: number[] = [];
    const agent = async (name: string, role: string, handlers: AgentHandlers): Promise<string> => {
      const subjectId = String((await post('/subjects', { kind: 'agent', displayName: name }, 201)).subjectId);
      const key = String((await post(`/subjects/${subjectId}/api-keys`, { label: 'bench' }, 201)).key);
      await post(`/subjects/${subjectId}/capabilities`, { name: 'translate', level: 2 }, 200);
      await post(`/orgs/${orgId}/associations`, { subjectId, role }, 201);
      const bus = await NatsBus.connect(url, { name: `bench-agent-${name}` });
      buses.push(bus);
      const client = new AgentClient({ bus, subjectId, apiKey: key, requestTimeoutMs: 10_000 }, handlers);
      const request = client.request.bind(client);
      client.request = async (kind, payload, idempotencyKey) => {
        const started = now();
        try {
          return await request(kind, payload, idempotencyKey);
        } finally {
          if (kind === 'propose') proposeRoundTrips.push(now() - started);
        }
      };
      await client.start();
      agents.push(client);
      return subjectId;
    };
    for (let index = 0; index < options.bidders; index += 1) {
      await agent(`bidder-${index}`, 'worker', {
        onCallForProposals: (cfp) => {
          const list = cfpReceived.get(cfp.jobId) ?? [];
          list.push(now());
          cfpReceived.set(cfp.jobId, list);
          return { price: 10 + index, etaSeconds: 60 };
        },
        onTask: async (task) => ({
          translated: String((task.input as { goal?: string }).goal ?? '')
            .split('')
            .reverse()
            .join(''),
        }),
      });
    }
    const verifier = await agent('verifier', 'reviewer', { onVerify: () => ({ accept: true, note: 'checked' }) });

    clock = new EventClock(
      platform.store,
      ['CallForProposalsIssued', 'ProposalRecorded', 'AssignmentAwarded', 'JobAssigned', 'JobDelivered', 'JobVerified'],
      (event) => `${event.type}:${String(event.data.jobId)}`,
    );
    await clock.start();
    const events = clock;

    const runJob = async (index: number) => {
      const submittedAt = now();
      const jobId = String(
        (
          await post(
            `/orgs/${orgId}/jobs`,
            { goal: `olleh ${index}`, completionMode: 'verified', verifierSubjectIds: [verifier], requiredCapabilities: [{ name: 'translate', level: 1 }] },
            201,
          )
        ).jobId,
      );
      const verifiedAt = await events.waitFor(`JobVerified:${jobId}`, JOB_TIMEOUT_MS);
      const at = (type: string) => events.all(`${type}:${jobId}`)[0]?.at ?? Number.NaN;
      const cfpAt = at('CallForProposalsIssued');
      const bids = events.all(`ProposalRecorded:${jobId}`).map((seen) => seen.at - cfpAt);
      const received = (cfpReceived.get(jobId) ?? []).map((receivedAt) => receivedAt - cfpAt);
      if (bids.length !== options.bidders) throw new Error(`job ${jobId}: ${bids.length} bids recorded, expected ${options.bidders}`);
      return {
        whole: verifiedAt - submittedAt - options.bidWindowMs,
        submitToCfp: cfpAt - submittedAt,
        closeLag: at('AssignmentAwarded') - cfpAt - options.bidWindowMs,
        awardToVerified: verifiedAt - at('AssignmentAwarded'),
        bids,
        received,
      };
    };

    await runJob(-1); // warm-up: JIT, NATS subscriptions and interest, statements
    const results: Array<Awaited<ReturnType<typeof runJob>>> = [];
    const started = now();
    for (let index = 0; index < options.jobs; index += 1) results.push(await runJob(index));
    progress(`work: ${options.jobs} auctions over NATS run to verified in ${((now() - started) / 1000).toFixed(1)} s`);
    proposeRoundTrips.splice(0, proposeRoundTrips.length - options.jobs * options.bidders); // drop the warm-up's

    const base = {
      transport: `NATS (${url.replace(/\/\/[^@/]*@/, '//')})`,
      bidders: options.bidders,
      bidWindowMs: options.bidWindowMs,
      jobs: options.jobs,
      process: 'platform and agents in one process',
      loadAvg1: Number(loadavg()[0]?.toFixed(2)),
    };
    const bid = summarize(results.flatMap((result) => result.bids));
    const delivery = summarize(results.flatMap((result) => result.received));
    const propose = summarize(proposeRoundTrips);
    const whole = summarize(results.map((result) => result.whole));
    const bidContext = { ...base, bids: results.length * options.bidders };
    emit('work.auction.bid.p50', bid.p50, 'ms', {
      ...bidContext,
      per: 'CallForProposalsIssued appended -> ProposalRecorded appended (timer set, cfp published, agent bids, gateway records)',
    });
    emit('work.auction.bid.p99', bid.p99, 'ms', bidContext);
    emit('work.auction.cfp-delivery.p50', delivery.p50, 'ms', { ...bidContext, per: 'CallForProposalsIssued appended -> the agent handler has the cfp' });
    emit('work.auction.propose.p50', propose.p50, 'ms', { ...bidContext, per: 'agent side: propose request -> reply (gateway, RecordProposal, append)' });
    emit('work.auction.propose.p99', propose.p99, 'ms', bidContext);
    emit('work.auction.job.p50', whole.p50, 'ms', {
      ...base,
      per: 'submit -> JobVerified, minus the bid window (includes the timer tick, <= 250 ms, that closes the round)',
    });
    emit('work.auction.job.p99', whole.p99, 'ms', base);
    const part = (pick: (result: (typeof results)[number]) => number) => summarize(results.map(pick)).p50;
    emit('work.auction.job.breakdown', whole.p50, 'ms', {
      ...base,
      submitToCfpMs: Number(part((result) => result.submitToCfp).toFixed(1)),
      closeLagMs: Number(part((result) => result.closeLag).toFixed(1)),
      awardToVerifiedMs: Number(part((result) => result.awardToVerified).toFixed(1)),
      per: 'p50 of each part: submit -> cfp issued; round closed after closesAt (timer tick); award -> verified (contract, task, delivery, verdict)',
    });
  } finally {
    for (const client of agents) await client.stop().catch(() => undefined);
    for (const bus of buses) await bus.close().catch(() => undefined);
    await clock?.stop();
    await app?.close();
    await platform?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether something accepts TCP connections there within half a second. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
