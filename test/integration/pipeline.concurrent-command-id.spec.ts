import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { collect } from '../support/async.ts';
import { admin, governedPipelineOn, tempStore } from '../support/pipeline.ts';

/**
 * One command id (a client's Idempotency-Key) sent twice at once with different bodies, by two processes on one
 * store: both load the stream before either appends. Only the body that was stored may be answered as done; the
 * other is IDEMPOTENCY_KEY_REUSED. A true retry (same body) is answered as the same success.
 */
describe('one command id, two concurrent bodies', () => {
  it('answers success only for the body the log holds; the other is IDEMPOTENCY_KEY_REUSED', async () => {
    const store = tempStore();
    for (let round = 0; round < 10; round += 1) {
      const processes = [governedPipelineOn(store).pipeline, governedPipelineOn(store).pipeline];
      const orgId = randomUUID();
      const commandId = `cmd-same-${round}-${randomUUID()}`;
      const bodies = ['first', 'second'].map((name) => ({ type: 'RegisterOrg', data: { orgId, name, slug: `${name}-${orgId.slice(0, 8)}` } }));
      const results = await Promise.all(
        bodies.map((body, n) => required(processes[n], 'a process').execute(orgAggregate, body, { commandId, principal: admin, retryable: true })),
      );
      const stored = (await collect(store.readStream(`org-${orgId}`))).find((event) => event.type === 'OrgRegistered');
      const succeeded = results.flatMap((result, n) => (isAppError(result) ? [] : [required(bodies[n], 'its body').data.name]));
      expect(succeeded).toEqual([stored?.data.name]);
      expect(results.filter(isAppError).map((error) => error.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    }
  });

  it('answers a concurrent true retry (same body) with the same success, appended once', async () => {
    const store = tempStore();
    const processes = [governedPipelineOn(store).pipeline, governedPipelineOn(store).pipeline];
    const orgId = randomUUID();
    const body = { type: 'RegisterOrg', data: { orgId, name: 'same', slug: `same-${orgId.slice(0, 8)}` } };
    const results = await Promise.all(
      processes.map((pipeline) => pipeline.execute(orgAggregate, body, { commandId: `cmd-retry-${orgId}`, principal: admin, retryable: true })),
    );
    expect(results.filter(isAppError)).toEqual([]);
    expect((await collect(store.readStream(`org-${orgId}`))).filter((event) => event.type === 'OrgRegistered')).toHaveLength(1);
  });
});
