import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';

/** The URLs a document names in `src=` and `href=` attributes. */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((match) => match[1] ?? '');
}

/** The URLs a stylesheet names in `url(...)`. */
function cssUrls(css: string): string[] {
  return [...css.matchAll(/url\(\s*["']?([^"')]*)["']?\s*\)/gi)].map((match) => match[1] ?? '');
}

describe('GraphiQL is served offline, from this server only', () => {
  const { server } = useTestServer();
  let base: URL;

  beforeAll(async () => {
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    base = new URL(`http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}/`);
  });

  it('serves the page and every asset it references from its own origin, with the right content types', async () => {
    const page = await fetch(new URL('graphiql', base));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();

    const references = referencedUrls(html);
    const scripts = references.filter((url) => url.endsWith('.js'));
    const styles = references.filter((url) => url.endsWith('.css'));
    // React, ReactDOM, GraphiQL and the script that starts it; GraphiQL's stylesheet and the page's.
    expect(scripts).toHaveLength(4);
    expect(styles).toHaveLength(2);
    expect(references).toHaveLength(scripts.length + styles.length);
    // Every <script> loads a file of this origin: none is inline (the policy would refuse it anyway).
    expect(html.match(/<script\b/gi)).toHaveLength(scripts.length);

    for (const reference of references) {
      const url = new URL(reference, page.url);
      expect(url.origin, reference).toBe(base.origin);
      const asset = await fetch(url);
      expect(asset.status, reference).toBe(200);
      expect(asset.headers.get('content-type'), reference).toMatch(reference.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
      const body = await asset.text();
      expect(body.length, reference).toBeGreaterThan(0);
      // Fonts and images of the stylesheets are inline data, never fetched from elsewhere.
      if (reference.endsWith('.css')) for (const inner of cssUrls(body)) expect(inner, `${reference}: ${inner.slice(0, 40)}`).toMatch(/^data:/);
    }
  });

  it('sends a Content-Security-Policy that lets the page load nothing from another origin', async () => {
    const page = await fetch(new URL('graphiql', base));
    const policy = page.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      policy
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .filter((parts) => parts[0] !== '')
        .map(([name = '', ...sources]) => [name, sources]),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    for (const [name, sources] of directives) {
      for (const source of sources) expect([`'self'`, `'none'`, `'unsafe-inline'`, 'data:'], `${name} ${source}`).toContain(source);
      // Inline code is refused: only styles may be inline (GraphiQL's dialogs insert a <style> element).
      if (sources.includes(`'unsafe-inline'`)) expect(name).toBe('style-src');
    }
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('answers a revalidation of an unchanged asset with 304 and no body', async () => {
    const first = await fetch(new URL('graphiql/assets/graphiql.js', base));
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    await first.arrayBuffer();
    const again = await fetch(new URL('graphiql/assets/graphiql.js', base), { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
  });
});
