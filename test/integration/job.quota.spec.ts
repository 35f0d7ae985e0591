import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobAggregate } from '../../commands/handlers/job.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import type { CommandResult } from '../../commands/result.ts';
import { isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { openJobsFromReadModel } from '../../projections/read-models/jobs.ts';
import { admin, commandId } from '../support/pipeline.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** The platform as the server wires it: job commands through `platform.jobs`, the quota counted from the read model. */
describe('the open-jobs quota, counted from the jobs read model', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    // These tests drive each job by hand; the work processes (which take every submission up: contracting,
    // assignment, escalation) would race them, so they are stopped.
    await server.platform.work.stop();
  });
  afterAll(async () => server.close());

  const run = (aggregate: Parameters<TestServer['platform']['pipeline']['execute']>[0], command: unknown) =>
    server.platform.pipeline.execute(aggregate, command, { commandId: commandId(), principal: admin });
  const ok = (result: CommandResult | AppError): CommandResult => {
    if (isAppError(result)) throw new Error(`${result.code}: ${result.message}`);
    return result;
  };
  async function orgWithQuota(maxOpenJobs: string | null): Promise<string> {
    const orgId = randomUUID();
    const metadata = maxOpenJobs === null ? {} : { 'quota.maxOpenJobs': maxOpenJobs };
    ok(await run(orgAggregate, { type: 'RegisterOrg', data: { orgId, name: 'Quota', slug: `quota-${orgId.slice(0, 8)}`, metadata } }));
    return orgId;
  }
  const submit = (orgId: string, jobId = randomUUID()) =>
    run(server.platform.jobs, { type: 'SubmitJob', data: { jobId, orgId, goal: 'Count me', completionMode: 'single' } });

  it('refuses the third submission to an org whose quota is 2, and accepts another once one is cancelled', async () => {
    const orgId = await orgWithQuota('2');
    const first = randomUUID();
    ok(await submit(orgId, first));
    ok(await submit(orgId));
    // Submitted back to back: the count waits for the read model to reach the head, so the second job is seen.
    const third = await submit(orgId);
    expect(third).toMatchObject({ kind: 'conflict', code: 'QUOTA_EXCEEDED', details: { orgId, openJobs: 2, maxOpenJobs: 2 } });

    ok(await run(server.platform.jobs, { type: 'CancelJob', data: { jobId: first, orgId, reason: 'make room' } }));
    ok(await submit(orgId));
    expect(await submit(orgId)).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { openJobs: 2 } });
  });

  it('holds the quota exactly when submissions race each other in one platform instance', async () => {
    const orgId = await orgWithQuota('3');
    const results = await Promise.all(Array.from({ length: 12 }, () => submit(orgId)));
    expect(results.filter((result) => !isAppError(result))).toHaveLength(3);
    expect(results.filter((result) => isAppError(result) && result.code === 'QUOTA_EXCEEDED')).toHaveLength(9);
  });

  it('counts every open status and none of the final ones, per org', async () => {
    const orgId = await orgWithQuota('3');
    const other = await orgWithQuota('3');
    const [held, escalated, failed] = [randomUUID(), randomUUID(), randomUUID()];
    for (const jobId of [held, escalated, failed]) ok(await submit(orgId, jobId));
    for (const jobId of [held, escalated, failed]) {
      ok(await run(server.platform.jobs, { type: 'StartContracting', data: { jobId, orgId } }));
      ok(await run(server.platform.jobs, { type: 'AssignJob', data: { jobId, orgId, assigneeSubjectId: randomUUID(), contractId: randomUUID() } }));
    }
    ok(await run(server.platform.jobs, { type: 'EscalateJob', data: { jobId: escalated, orgId, reason: 'stuck', escalateTo: 'board' } }));
    // Another org's jobs are not this org's.
    ok(await submit(other));
    ok(await submit(other));
    expect(await submit(orgId)).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { openJobs: 3, maxOpenJobs: 3 } });

    ok(await run(server.platform.jobs, { type: 'FailJob', data: { jobId: failed, orgId, reason: 'crashed' } }));
    ok(await submit(orgId));
    expect(await submit(orgId)).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { openJobs: 3 } });
    ok(await submit(other));
  });

  it('accepts no job with a quota of "0", and applies the default of 100 when the metadata is malformed', async () => {
    expect(await submit(await orgWithQuota('0'))).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { openJobs: 0, maxOpenJobs: 0 } });
    const malformed = await orgWithQuota('-1');
    ok(await submit(malformed));
  });

  it('refuses with QUOTA_UNKNOWN, appending nothing, when the read model cannot reach the head in time', async () => {
    const orgId = await orgWithQuota('5');
    const { store, docs } = server.platform;
    const stuck = createJobAggregate({ openJobsOf: openJobsFromReadModel({ store, docs, projections: { waitFor: async () => false } }, 10) });
    const head = await store.headPosition();
    expect(await run(stuck, { type: 'SubmitJob', data: { jobId: randomUUID(), orgId, goal: 'Uncounted', completionMode: 'single' } })).toMatchObject({
      kind: 'unavailable',
      code: 'QUOTA_UNKNOWN',
    });
    expect(await store.headPosition()).toBe(head);
  });

  it('waits for the jobs projection itself, not for every read model', async () => {
    const calls: Array<{ position: bigint; projection: string | undefined }> = [];
    const { store, docs, projections } = server.platform;
    const counting = openJobsFromReadModel({
      store,
      docs,
      projections: {
        waitFor: async (position, timeoutMs, projection) => {
          calls.push({ position, projection });
          return projections.waitFor(position, timeoutMs, projection);
        },
      },
    });
    const orgId = await orgWithQuota(null);
    ok(await submit(orgId));
    expect(await counting(orgId)).toBe(1);
    expect(calls).toEqual([{ position: await store.headPosition(), projection: 'jobs' }]);
  });
});
