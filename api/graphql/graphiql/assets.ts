import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the GraphiQL page, read once at start and served from memory. */
export interface IdeAsset {
  /** Under the IDE's path: `''` is the page itself, `/assets/<name>` the rest. */
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
  /** Strong validator of `body`, so a browser revalidates instead of downloading 1.7 MB again. */
  readonly etag: string;
}

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** A file inside an installed package (the packages export no path to their browser bundles, only package.json). */
function packageFile(packageName: string, file: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), file);
}

const javascript = 'text/javascript; charset=utf-8';
const css = 'text/css; charset=utf-8';

// The browser builds (UMD) of the installed packages: React and ReactDOM as globals, and GraphiQL's bundle, which
// carries its own dependencies and fonts (as data: URIs) and expects those two globals.
const sources: ReadonlyArray<{ path: string; contentType: string; file: string }> = [
  { path: '', contentType: 'text/html; charset=utf-8', file: join(here, 'page.html') },
  { path: '/assets/page.css', contentType: css, file: join(here, 'page.css') },
  { path: '/assets/boot.js', contentType: javascript, file: join(here, 'boot.js') },
  { path: '/assets/react.js', contentType: javascript, file: packageFile('react', 'umd/react.production.min.js') },
  { path: '/assets/react-dom.js', contentType: javascript, file: packageFile('react-dom', 'umd/react-dom.production.min.js') },
  { path: '/assets/graphiql.js', contentType: javascript, file: packageFile('graphiql', 'graphiql.min.js') },
  { path: '/assets/graphiql.css', contentType: css, file: packageFile('graphiql', 'graphiql.min.css') },
];

let loaded: Promise<readonly IdeAsset[]> | undefined;

/**
 * Reads every file once per process (a process may build several servers); a package missing from node_modules
 * fails the server's start, not a browser later.
 */
export function loadIdeAssets(): Promise<readonly IdeAsset[]> {
  loaded ??= Promise.all(
    sources.map(async ({ path, contentType, file }) => {
      const body = await readFile(file);
      return { path, contentType, body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
    }),
  );
  return loaded;
}
