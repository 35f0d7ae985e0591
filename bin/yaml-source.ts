import { LineCounter, parseDocument, type Document } from 'yaml';

export type SourcePath = ReadonlyArray<string | number>;

/** A path as a reader writes it: `cases[3].request.principal`, `rules[0].when`; empty for the document itself. */
export function formatSourcePath(path: SourcePath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text.length === 0 ? segment : `.${segment}`;
  }
  return text;
}

/** Where in the file a node sits, 1-based. */
export interface SourcePosition {
  line?: number;
  column?: number;
}

/** A parsed YAML (or JSON) file that can say where a value sits, so problems point into the file. */
export interface SourceDocument {
  value: unknown;
  /** The position of the node at `path`, or of its nearest ancestor that exists. */
  positionOf(path: SourcePath): SourcePosition;
  /** positionOf's line. */
  lineOf(path: SourcePath): number | undefined;
}

export interface SourceError extends SourcePosition {
  message: string;
}

/** A file that did not parse: every error, and the first one's message and line for tools that report one. */
export type ParsedSource = { ok: true; document: SourceDocument } | { ok: false; message: string; line?: number; errors: SourceError[] };

/**
 * Parses YAML 1.2 (JSON is YAML, so a .json file reads the same way), as `apply` and the policy tools read their
 * files: duplicate keys are an error, and aliases are capped so a small file cannot expand into a huge one. YAML 1.2
 * keeps `2026-03-01T09:00:00Z` a string, which is what request instants must be.
 */
export function parseSource(text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, version: '1.2' });
  if (document.errors.length > 0) {
    const errors = document.errors.map((error) => ({
      // Pretty errors read "<message> at line L, column C:" and then quote the source; the position is kept apart.
      message: (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, ''),
      ...(error.linePos ? { line: error.linePos[0].line, column: error.linePos[0].col } : {}),
    }));
    return failed(errors);
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (failure) {
    return failed([{ message: failure instanceof Error ? failure.message : String(failure) }]);
  }
  const positionOf = (path: SourcePath) => locate(document, lineCounter, path);
  return { ok: true, document: { value, positionOf, lineOf: (path) => positionOf(path).line } };
}

function failed(errors: SourceError[]): ParsedSource {
  const [first = { message: 'unreadable' }] = errors;
  return { ok: false, message: first.message, ...(first.line === undefined ? {} : { line: first.line }), errors };
}

function locate(document: Document, lineCounter: LineCounter, path: SourcePath): SourcePosition {
  for (let length = path.length; length >= 0; length -= 1) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (node !== null && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) {
      const offset: unknown = node.range[0];
      if (typeof offset !== 'number') continue;
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    }
  }
  return {};
}
