import { editDistance } from './edit-distance.ts';

type Segment = { kind: 'static'; text: string } | { kind: 'param' };

interface Route {
  url: string;
  segments: readonly Segment[];
  methods: Set<string>;
  /** Characters of its static segments: how much of it a typo can be measured against. */
  staticChars: number;
}

export interface RouteSuggestion {
  method: string;
  url: string;
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
// Beyond these a path is no typo of ours, and measuring it would only cost time on a request nobody authenticated.
const MAX_PATH_LENGTH = 256;
const MAX_SEGMENTS = 10;
/** More characters to change than any route's threshold allows (a quarter of its literal characters). */
const MAX_TYPO = 16;

function segmentsOf(url: string): Segment[] {
  // A parameter (`:orgId`, `:name(regex)`) or a wildcard matches any one segment; everything else is literal.
  return url
    .split('/')
    .slice(1)
    .map((text) => (text.startsWith(':') || text === '*' ? { kind: 'param' as const } : { kind: 'static' as const, text }));
}

function byMethodOrder(a: string, b: string): number {
  const rank = (method: string) => (METHOD_ORDER.includes(method) ? METHOD_ORDER.indexOf(method) : METHOD_ORDER.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** How far a path is from a route template, counted in characters to change, a parameter matching any segment. */
function distance(path: readonly string[], template: readonly Segment[]): number {
  const insert = (segment: Segment) => (segment.kind === 'param' ? 1 : segment.text.length);
  const substitute = (text: string, segment: Segment) => {
    if (segment.kind === 'param') return text === '' ? 1 : 0;
    // Lengths this far apart are no typo of each other, whatever the letters: not worth measuring.
    return Math.abs(text.length - segment.text.length) > MAX_TYPO ? Number.MAX_SAFE_INTEGER / 64 : editDistance(text, segment.text);
  };
  let previous = [0];
  for (const segment of template) previous.push((previous.at(-1) ?? 0) + insert(segment));
  for (const text of path) {
    const current = [(previous[0] ?? 0) + Math.max(1, text.length)];
    template.forEach((segment, index) => {
      current.push(
        Math.min(
          (previous[index] ?? 0) + substitute(text, segment),
          (previous[index + 1] ?? 0) + Math.max(1, text.length),
          (current[index] ?? 0) + insert(segment),
        ),
      );
    });
    previous = current;
  }
  return previous.at(-1) ?? 0;
}

/**
 * Every route the server has, by template, with its methods: which methods a concrete path takes (for 405 and its
 * `Allow`), and which route a path that matches none was probably meant to be (for the hint of a 404).
 */
export class RouteTable {
  private readonly routes = new Map<string, Route>();

  add(methods: readonly string[], url: string): void {
    const existing = this.routes.get(url);
    if (existing) {
      for (const method of methods) existing.methods.add(method.toUpperCase());
      return;
    }
    const segments = segmentsOf(url);
    const staticChars = segments.reduce((sum, segment) => sum + (segment.kind === 'static' ? segment.text.length : 0), 0);
    this.routes.set(url, { url, segments, methods: new Set(methods.map((method) => method.toUpperCase())), staticChars });
  }

  /** The methods of every route whose template matches `path` (no query string), in the usual order. */
  methodsAt(path: string): string[] {
    const parts = path.split('/').slice(1);
    const methods = new Set<string>();
    for (const route of this.routes.values()) {
      const matches =
        route.segments.length === parts.length &&
        route.segments.every((segment, index) => (segment.kind === 'param' ? (parts[index] ?? '') !== '' : segment.text === parts[index]));
      if (matches) for (const method of route.methods) methods.add(method);
    }
    return [...methods].sort(byMethodOrder);
  }

  /**
   * The route `path` is most likely a typo of: within a quarter of the route's literal characters (at least one),
   * or an exact route under one extra leading segment (`/api/orgs`). Ties go to a route that takes `method`.
   */
  closest(method: string, path: string): RouteSuggestion | null {
    const parts = path.split('/').slice(1);
    if (path.length > MAX_PATH_LENGTH || parts.length > MAX_SEGMENTS) return null;
    let best: { route: Route; cost: number; takesMethod: boolean } | null = null;
    for (const route of this.routes.values()) {
      // Two segments more or fewer is as far as a typo goes (a missing id, a stray prefix or trailing slash).
      if (Math.abs(route.segments.length - parts.length) > 2) continue;
      const typo = distance(parts, route.segments);
      const cost =
        typo <= Math.max(1, Math.floor(route.staticChars / 4)) ? typo : parts.length > 1 && distance(parts.slice(1), route.segments) === 0 ? 1 : Infinity;
      if (cost === Infinity) continue;
      const takesMethod = route.methods.has(method);
      if (!best || cost < best.cost || (cost === best.cost && takesMethod && !best.takesMethod)) best = { route, cost, takesMethod };
    }
    if (!best) return null;
    const methods = [...best.route.methods].sort(byMethodOrder).filter((candidate) => candidate !== 'HEAD' || best.route.methods.size === 1);
    return { method: best.takesMethod ? method : (methods[0] ?? 'GET'), url: best.route.url };
  }
}
