import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { apiClient } from './api.client.ts';
import { ADMIN_KEY } from '../support/server.ts';

// Debian's chromium (apt-get install -y chromium), or another one named by CHROMIUM_PATH; without one, skipped.
const browserPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path) => path !== undefined && path !== '' && existsSync(path),
);

/** What the functions run in the page use of it (the project compiles without the DOM's types). */
interface PageGlobals {
  document: { querySelector(selector: string): { CodeMirror?: { setValue(text: string): void; getValue(): string } } | null };
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
}

/** Sets the text of the visible CodeMirror editor inside `selector`, as a user's typing would end up. */
async function setEditor(page: Page, selector: string, text: string): Promise<void> {
  const editor = `${selector} .CodeMirror`;
  await page.locator(editor).waitFor();
  await page.evaluate(
    ([inner, value]) => {
      const host = (globalThis as unknown as PageGlobals).document.querySelector(inner);
      if (!host?.CodeMirror) throw new Error(`no editor at ${inner}`);
      host.CodeMirror.setValue(value);
    },
    [editor, text] as const,
  );
}

async function responseText(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue() ?? '');
}

const headersEditor = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';
const queryEditor = '.graphiql-query-editor';

// CI installs the browser and sets REQUIRE_BROWSER=1 (.ci/run): there a missing browser fails instead of skipping.
if (browserPath === undefined && process.env.REQUIRE_BROWSER === '1') throw new Error('REQUIRE_BROWSER=1 but no chromium (CHROMIUM_PATH, /usr/bin/chromium)');
if (browserPath === undefined) console.log('skipped: no chromium (apt-get install -y chromium, or CHROMIUM_PATH) for the GraphiQL browser test');

describe.skipIf(browserPath === undefined)('GraphiQL in a browser with no way out of the machine', () => {
  const { server } = useTestServer();
  let base: URL;
  let browser: Browser;

  /** The page, with every request not for this server recorded and refused, as on a machine without a network. */
  async function openGraphiql(): Promise<{ page: Page; elsewhere: string[]; problems: string[] }> {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin === base.origin) return route.continue();
      elsewhere.push(url.href);
      return route.abort('internetdisconnected');
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // The schema request GraphiQL makes on load, before a key is entered, is answered 401: expected, not a problem.
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 401/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    await page.goto(new URL('graphiql', base).href);
    await page.locator('.graphiql-container').waitFor({ timeout: 30_000 });
    return { page, elsewhere, problems };
  }

  /** What the docs tell a user to do: the key in the Headers tab, then the schema fetched again with it. */
  async function enterKey(page: Page): Promise<void> {
    await setEditor(page, headersEditor, JSON.stringify({ Authorization: `Bearer ${ADMIN_KEY}` }));
    await page.locator('button[aria-label="Re-fetch GraphQL schema"]').click();
    // The documentation explorer lists the root types once GraphiQL has the schema.
    await page.locator('button[aria-label="Show Documentation Explorer"]').click();
    await page.locator('.graphiql-doc-explorer').getByText('Subscription', { exact: true }).waitFor({ timeout: 15_000 });
  }

  beforeAll(async () => {
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    base = new URL(`http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}/`);
    await apiClient(server).expectStatus(await apiClient(server).post('/orgs', { name: 'Offline Lab', slug: 'offline-lab' }), 201);
    browser = await chromium.launch({ executablePath: browserPath, headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('loads with nothing but this server and runs a query with the key from the Headers tab', async () => {
    const { page, elsewhere, problems } = await openGraphiql();
    await enterKey(page);
    await setEditor(page, queryEditor, '{ orgBySlug(slug: "offline-lab") { slug name } }');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => responseText(page), { timeout: 15_000 }).toContain('offline-lab');
    expect(JSON.parse(await responseText(page))).toEqual({ data: { orgBySlug: { slug: 'offline-lab', name: 'Offline Lab' } } });

    // GraphiQL's history records the key with the query: in the tab's sessionStorage, never in localStorage, which
    // outlives the tab.
    expect(await page.evaluate(() => JSON.stringify({ ...(globalThis as unknown as PageGlobals).localStorage }))).not.toContain(ADMIN_KEY);
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as PageGlobals).sessionStorage).some((key) => key.startsWith('graphiql:')))).toBe(true);
    expect(elsewhere).toEqual([]);
    // Nothing refused by the page's Content-Security-Policy (reported as console errors), nothing thrown.
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('runs a subscription over a WebSocket to this server, authenticated by the same Headers tab', async () => {
    const { page, elsewhere, problems } = await openGraphiql();
    await enterKey(page);
    await setEditor(page, queryEditor, 'subscription { events(types: ["OrgRegistered"]) { type streamId } }');
    // GraphiQL reads the operation's kind a moment after the editor changes (debounced); a run it starts before
    // that goes over HTTP and ends at once, so the button is pressed until a run opens the socket.
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await expect
      .poll(
        async () => {
          if (sockets.length === 0) await page.locator('.graphiql-execute-button').click();
          return sockets.length;
        },
        { timeout: 15_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);
    expect(sockets.map((url) => new URL(url).origin)).toEqual([base.origin.replace(/^http/, 'ws')]);
    // The subscription starts at the head of the log: an org registered after it shows up in the response pane.
    await expect
      .poll(
        async () => {
          if ((await responseText(page)).includes('OrgRegistered')) return true;
          await apiClient(server).post('/orgs', { name: 'Live Lab', slug: `live-lab-${Date.now()}` });
          return false;
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(true);
    expect(elsewhere).toEqual([]);
    // A run started before GraphiQL saw the operation's kind went over HTTP and was answered 400
    // SUBSCRIPTION_OVER_HTTP, which the browser logs as a failed load: expected, and nothing else is.
    expect(problems.filter((problem) => !problem.includes('status of 400 (Bad Request)'))).toEqual([]);
    await page.close();
  }, 90_000);

  it('without a key, a query is refused and the response pane says why', async () => {
    const { page, elsewhere } = await openGraphiql();
    await setEditor(page, queryEditor, '{ orgBySlug(slug: "offline-lab") { slug name } }');
    await page.locator('.graphiql-execute-button').click();
    // The Headers tab's placeholder (`Bearer <your API key>`) is sent as it is: a header that is not a key.
    await expect.poll(() => responseText(page), { timeout: 15_000 }).toContain('MALFORMED_AUTHORIZATION');
    expect(await responseText(page)).not.toContain('Offline Lab');
    expect(elsewhere).toEqual([]);
    await page.close();
  }, 90_000);
});
