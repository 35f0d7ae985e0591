import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { expectRefusal, type Refusal } from '../support/refusal.ts';
import type { TestServer } from '../support/server.ts';

const steps = {
  outline: { kind: 'task', role: 'writer', title: 'Outline', input: { topic: 'input.topic' } },
  sections: { kind: 'task', role: 'writer', title: 'A section', input: { outline: 'steps.outline.output', section: 'item' } },
  review: { kind: 'approval', approverRole: 'editor', deadline: 'PT4H', escalateTo: 'owner' },
};
const paper = {
  name: 'paper',
  description: 'a paper in three moves',
  steps,
  flow: 'sequence(outline, forEach("steps.outline.output.sections", sections, 20), review)',
};

/**
 * A definition the decider refuses: 422 WORKFLOW_INVALID in the uniform shape, and no workflow changed. The refusal
 * itself is recorded in the org's audit stream, as every refusal of a permitted command by the org's structure is.
 */
async function expectInvalid(server: TestServer, url: string, payload: object): Promise<Refusal> {
  const head = await server.platform.store.headPosition();
  const response = await server.app.inject({ method: 'POST', url, headers: server.auth, payload });
  expect(response.statusCode, response.body).toBe(422);
  const body = response.json() as Refusal;
  expect(body).toEqual({ code: 'WORKFLOW_INVALID', message: expect.any(String), details: { name: expect.any(String), errors: expect.any(Array) } });
  const appended = [];
  for await (const event of server.platform.store.readAll({ fromPosition: head + 1n })) appended.push(event);
  expect(appended.map((event) => [event.type, event.streamId.split('-')[0], event.data.result])).toEqual([
    ['DecisionRecorded', 'audit', expect.objectContaining({ status: 'refused-by-structure', code: 'WORKFLOW_INVALID' })],
  ]);
  return body;
}

describe('workflow definitions over HTTP', () => {
  const { server, api } = useTestServer();
  let orgId: string;
  beforeAll(async () => {
    orgId = await api.registerOrg('workflow-lab');
  });

  it('publishes a version (201), the same again changes nothing (200), a change is the next version', async () => {
    const first = await api.post(`/orgs/${orgId}/workflows`, paper);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ name: 'paper', version: 1, events: [{ type: 'DecisionRecorded' }, { type: 'WorkflowPublished' }] });
    const again = await api.post(`/orgs/${orgId}/workflows`, paper);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ name: 'paper', version: 1, events: [] });
    const changed = await api.post(`/orgs/${orgId}/workflows`, { ...paper, description: 'now with a deadline', timeoutMs: 86_400_000 });
    expect(changed.statusCode).toBe(201);
    expect(changed.json()).toMatchObject({ version: 2 });
  });

  it('retires a workflow, once', async () => {
    await api.expectStatus(await api.post(`/orgs/${orgId}/workflows`, { ...paper, name: 'memo' }), 201);
    const retired = await api.post(`/orgs/${orgId}/workflows/memo/retire`, { reason: 'replaced by paper' });
    expect(retired.statusCode).toBe(200);
    expect(retired.json()).toMatchObject({ name: 'memo', events: [{ type: 'DecisionRecorded' }, { type: 'WorkflowRetired' }] });
    expect((await api.post(`/orgs/${orgId}/workflows/memo/retire`, {})).json()).toMatchObject({ events: [] });
  });

  it('refuses a cycle with 422 WORKFLOW_INVALID naming it, and changes nothing', async () => {
    const cyclic = {
      name: 'loop',
      steps: {
        a: { kind: 'wait', duration: 'PT1M', dependsOn: ['c'] },
        b: { kind: 'wait', duration: 'PT1M', dependsOn: ['a'] },
        c: { kind: 'wait', duration: 'PT1M', dependsOn: ['b'] },
      },
    };
    const refusal = await expectInvalid(server, `/orgs/${orgId}/workflows`, cyclic);
    expect(refusal.message).toContain('a -> b -> c -> a');
    expect(refusal.details.errors).toEqual([{ path: 'steps.a.dependsOn', message: 'a cycle: a -> b -> c -> a', cycle: ['a', 'b', 'c', 'a'] }]);
  });

  it.each([
    ['an unknown step in the flow', { ...paper, flow: 'sequence(outline, reviw)' }, 'flow'],
    ['a syntax error in the text form', { ...paper, flow: 'sequence(outline review)' }, 'flow'],
    [
      'CEL that does not compile',
      { ...paper, steps: { ...steps, outline: { ...steps.outline, input: { topic: 'input.topic +' } } } },
      'steps.outline.input.topic',
    ],
    ['a step of no known kind', { ...paper, steps: { ...steps, review: { kind: 'vote' } } }, 'steps.review.kind'],
    ['a fan-out over the cap', { ...paper, flow: 'sequence(outline, forEach("input.xs", sections, 1000), review)' }, 'flow'],
    ['no steps at all', { name: 'empty', steps: {} }, 'steps'],
    [
      'a definition over 60 KiB',
      { name: 'huge', steps: Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`s${index}`, { ...steps.outline, instructions: 'x'.repeat(8000) }])) },
      '',
    ],
  ])('refuses a definition with %s, naming where, and changes no workflow', async (_case, payload, path) => {
    const refusal = await expectInvalid(server, `/orgs/${orgId}/workflows`, payload);
    expect(refusal.details.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it.each([
    ['a name that is not a slug', { ...paper, name: 'Not A Slug' }, 'name'],
    ['no name', { steps }, 'name'],
    ['an unknown field', { ...paper, owner: 'me' }, 'owner'],
    ['a run timeout over the cap', { ...paper, timeoutMs: 10 ** 12 }, 'timeoutMs'],
  ])('refuses a request with %s: 400 naming the field, nothing appended', async (_case, payload, field) => {
    const refusal = await expectRefusal(server, { url: `/orgs/${orgId}/workflows`, payload }, 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(refusal.details.issues)).toContain(field);
  });

  it('refuses retiring a workflow that was never published, and a bad name in the path', async () => {
    await expectRefusal(server, { url: `/orgs/${orgId}/workflows/never/retire`, payload: {} }, 404, 'WORKFLOW_NOT_FOUND');
    await expectRefusal(server, { url: `/orgs/${orgId}/workflows/Bad%20Name/retire`, payload: {} }, 400, 'VALIDATION_FAILED');
  });

  it('reads a workflow, a version with its DAG, and the DAG as Mermaid', async () => {
    await api.expectStatus(await api.post(`/orgs/${orgId}/workflows`, { ...paper, name: 'report' }), 201);
    const workflow = await api.get(`/orgs/${orgId}/workflows/report`);
    expect(workflow.statusCode).toBe(200);
    expect(workflow.json()).toMatchObject({ name: 'report', status: 'active', newest: 1, versions: [{ version: 1, description: paper.description }] });

    const version = (await api.get(`/orgs/${orgId}/workflows/report/versions/1`)).json();
    expect(version.definition.steps.outline).toMatchObject({ kind: 'task', role: 'writer', instructions: '' });
    expect(version.dag.nodes.map((node: { id: string; dependsOn: string[] }) => [node.id, node.dependsOn])).toEqual([
      ['outline', []],
      ['sections', ['outline']],
      ['review', ['sections']],
    ]);
    expect(version.dag.nodes[1].fanOut).toEqual({ items: 'steps.outline.output.sections', maxItems: 20 });

    const mermaid = await api.get(`/orgs/${orgId}/workflows/report/versions/1/mermaid`);
    expect(mermaid.statusCode).toBe(200);
    expect(mermaid.headers['content-type']).toMatch(/^text\/plain/);
    expect(mermaid.body.split('\n').slice(0, 4)).toEqual(['flowchart TD', '  s0["outline"]', '  s1["sections<br/>for each, at most 20"]', '  s2{"review"}']);
  });

  it('answers 404 for a workflow or version that does not exist, 400 for a malformed name or version', async () => {
    for (const [url, status, code] of [
      [`/orgs/${orgId}/workflows/nothing-here`, 404, 'WORKFLOW_NOT_FOUND'],
      [`/orgs/${orgId}/workflows/paper/versions/99`, 404, 'WORKFLOW_VERSION_NOT_FOUND'],
      [`/orgs/${orgId}/workflows/paper/versions/99/mermaid`, 404, 'WORKFLOW_VERSION_NOT_FOUND'],
      [`/orgs/${orgId}/workflows/Bad_Name`, 400, 'VALIDATION_FAILED'],
      [`/orgs/${orgId}/workflows/paper/versions/first`, 400, 'VALIDATION_FAILED'],
    ] as const) {
      await expectRefusal(server, { method: 'GET', url }, status, code);
    }
  });

  it("lets only those who may read the org's workflows read them", async () => {
    const outsider = await api.subjectWithKey('outsider');
    const response = await server.app.inject({ url: `/orgs/${orgId}/workflows/paper`, headers: { authorization: `Bearer ${outsider.key}` } });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('ORG_NOT_FOUND');
  });

  it("lists an org's workflows from the read model, newest first, by status, a page at a time", async () => {
    const listOrg = await api.registerOrg('workflow-list-lab');
    const two = { steps: { a: { kind: 'wait', duration: 'PT1M' }, b: { kind: 'wait', duration: 'PT1M' } }, flow: 'sequence(a, b)' };
    await api.expectStatus(await api.post(`/orgs/${listOrg}/workflows`, { name: 'first', ...two }), 201);
    await api.expectStatus(await api.post(`/orgs/${listOrg}/workflows`, { name: 'second', description: 'v1', ...two }), 201);
    await api.expectStatus(await api.post(`/orgs/${listOrg}/workflows`, { name: 'second', description: 'v2', ...two }), 201);
    await api.expectStatus(await api.post(`/orgs/${listOrg}/workflows/first/retire`, {}), 200);

    const all = (await api.get(`/orgs/${listOrg}/workflows`)).json();
    expect(all.workflows.map((workflow: { name: string; status: string; version: number; steps: number; description: string }) => workflow)).toEqual([
      expect.objectContaining({ name: 'second', status: 'active', version: 2, steps: 2, description: 'v2', retiredAt: null }),
      expect.objectContaining({ name: 'first', status: 'retired', version: 1, retiredAt: expect.any(String) }),
    ]);
    const retired = (await api.get(`/orgs/${listOrg}/workflows?status=retired`)).json();
    expect(retired.workflows.map((workflow: { name: string }) => workflow.name)).toEqual(['first']);
    const firstPage = (await api.get(`/orgs/${listOrg}/workflows?limit=1&order=oldest`)).json();
    expect(firstPage.workflows.map((workflow: { name: string }) => workflow.name)).toEqual(['first']);
    const nextPage = (await api.get(`/orgs/${listOrg}/workflows?limit=1&order=oldest&after=${encodeURIComponent(firstPage.pageInfo.endCursor)}`)).json();
    expect(nextPage.workflows.map((workflow: { name: string }) => workflow.name)).toEqual(['second']);
    await expectRefusal(server, { method: 'GET', url: `/orgs/${listOrg}/workflows?status=gone` }, 400, 'VALIDATION_FAILED');
  });

  it('publishes the writing-team example as it is in examples/', async () => {
    const example: unknown = JSON.parse(readFileSync(new URL('../../examples/writing-team.workflow.json', import.meta.url), 'utf8'));
    const published = await api.post(`/orgs/${orgId}/workflows`, example);
    expect(published.statusCode, published.body).toBe(201);
    expect(published.json()).toMatchObject({ name: 'writing-team', version: 1 });
  });
});
