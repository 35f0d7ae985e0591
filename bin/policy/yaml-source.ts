import { LineCounter, parseDocument, type Document } from 'yaml';

export type SourcePath = ReadonlyArray<string | number>;

/** A parsed YAML (or JSON) file that can say on which line a value sits, so problems point into the file. */
export interface SourceDocument {
  value: unknown;
  /** The line of the node at `path`, or of its nearest ancestor that exists; 1-based. */
  lineOf(path: SourcePath): number | undefined;
}

export type ParsedSource = { ok: true; document: SourceDocument } | { ok: false; message: string; line?: number };

/**
 * Parses YAML 1.2 (JSON is YAML, so a .json file reads the same way), as `apply` reads specs: duplicate keys are an
 * error, and aliases are capped so a small file cannot expand into a huge one. YAML 1.2 keeps `2026-03-01T09:00:00Z`
 * a string, which is what request instants must be.
 */
export function parseSource(text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, version: '1.2' });
  const [error] = document.errors;
  if (error !== undefined) {
    // Pretty errors read "<message> at line L, column C:" and then quote the source; the line is kept apart.
    const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
    return { ok: false, message, ...(error.linePos ? { line: error.linePos[0].line } : {}) };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (failure) {
    return { ok: false, message: failure instanceof Error ? failure.message : String(failure) };
  }
  return { ok: true, document: { value, lineOf: (path) => lineOf(document, lineCounter, path) } };
}

function lineOf(document: Document, lineCounter: LineCounter, path: SourcePath): number | undefined {
  for (let length = path.length; length >= 0; length -= 1) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (node !== null && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) {
      const offset: unknown = node.range[0];
      if (typeof offset === 'number') return lineCounter.linePos(offset).line;
    }
  }
  return undefined;
}
