import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

type Page = { pageInfo: { hasNextPage: boolean; endCursor: string | null } } & Record<string, unknown>;

describe('REST lists: cursor pages, stable order, a capped limit', () => {
  const { api } = useTestServer();

  /** Follows `endCursor` to the end, calling `between` after each page; every page's items' ids in order. */
  async function pageThrough(
    url: string,
    key: string,
    idOf: (item: Record<string, unknown>) => string,
    between: (page: number) => Promise<void> = async () => {},
  ) {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page += 1) {
      const separator = url.includes('?') ? '&' : '?';
      const body = (await api.expectStatus(await api.get(`${url}${after === null ? '' : `${separator}after=${after}`}`, key), 200)) as Page;
      const [items] = Object.values(body).filter(Array.isArray) as Array<Array<Record<string, unknown>>>;
      seen.push(...(items ?? []).map(idOf));
      await between(page);
      if (!body.pageInfo.hasNextPage) return seen;
      after = body.pageInfo.endCursor;
      expect(after).toEqual(expect.any(String));
    }
    throw new Error('more than 100 pages');
  }

  it('pages through orgs oldest first while orgs are registered and changed, each exactly once', async () => {
    const before: string[] = [];
    for (let n = 0; n < 23; n += 1) before.push(await api.registerOrg(`paged-${n}`));
    const added: string[] = [];
    const seen = await pageThrough(
      '/orgs?order=oldest&limit=5',
      api.adminKey,
      (org) => String(org.orgId),
      async (page) => {
        // Writes between pages: a new org (after every cursor: it comes on a later page) and a change to one already
        // listed (its place in the order is its registration, which does not move).
        added.push(await api.registerOrg(`added-${page}`));
        await api.expectStatus(await api.post(`/orgs/${before[page]}/suspend`, { reason: 'paging test' }), 200);
      },
    );
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, before.length)).toEqual(before);
    // Every org registered while paging is listed too, once, after those before it.
    expect(seen.slice(before.length)).toEqual(added.slice(0, seen.length - before.length));
    expect(seen.length - before.length).toBeGreaterThanOrEqual(added.length - 1);
  });

  it('pages newest first without repeating or skipping while orgs are registered meanwhile', async () => {
    const everyOrgNow = await pageThrough('/orgs?limit=100', api.adminKey, (org) => String(org.orgId));
    const seen = await pageThrough(
      '/orgs?limit=4',
      api.adminKey,
      (org) => String(org.orgId),
      async (page) => {
        await api.registerOrg(`newer-${page}`);
      },
    );
    // The ones registered during the walk sort before its cursor: the walk sees exactly the orgs there were.
    expect(seen).toEqual(everyOrgNow);
  });

  it('pages through subjects and lists every one registered, once', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 12; n += 1) ids.push(await api.registerSubject(`Paged subject ${n}`));
    const seen = await pageThrough('/subjects?order=oldest&limit=5', api.adminKey, (subject) => String(subject.subjectId));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(-ids.length)).toEqual(ids);
  });

  it('answers 20 by default, at most 100, and refuses a limit outside 1..100 with 400', async () => {
    for (let n = 0; n < 90; n += 1) await api.registerSubject(`Many ${n}`);
    const byDefault = (await api.expectStatus(await api.get('/subjects'), 200)) as { subjects: unknown[]; pageInfo: { hasNextPage: boolean } };
    expect(byDefault.subjects).toHaveLength(20);
    expect(byDefault.pageInfo.hasNextPage).toBe(true);
    const most = (await api.expectStatus(await api.get('/subjects?limit=100'), 200)) as { subjects: unknown[] };
    expect(most.subjects).toHaveLength(100);
    for (const limit of ['101', '1000', '0', '-1', '2.5', 'ten']) {
      for (const url of [`/orgs?limit=${limit}`, `/subjects?limit=${limit}`]) {
        const response = await api.get(url);
        expect(response.statusCode, url).toBe(400);
        expect(response.json(), url).toMatchObject({
          code: 'VALIDATION_FAILED',
          message: expect.any(String),
          details: { issues: [expect.objectContaining({ path: ['limit'] })] },
        });
      }
    }
  });
});
