import { stepIdSchema, MAX_FLOW_DEPTH, MAX_FLOW_TEXT } from './fields.ts';
import { fanOutLimit, type FlowNode, type Parsed, type WorkflowProblem } from './flow.ts';

/**
 * The one-line text form of a flow, e.g. `sequence(a, parallel(b, c), choice("input.urgent", d, e),
 * forEach("input.sections", write, 20))`. A bare name is a step; strings are CEL, in double or single quotes
 * (`\` escapes the quote and itself). Hand-written and bounded: at most MAX_FLOW_TEXT characters, MAX_FLOW_DEPTH
 * levels; the first error is reported with its 1-based column.
 */
export function parseFlowText(text: string, path: string, depth = 0): Parsed<FlowNode> {
  if (text.length > MAX_FLOW_TEXT) return fail(path, `the flow text is ${text.length} characters long; at most ${MAX_FLOW_TEXT} are allowed`, 1);
  const parser = new FlowTextParser(text, path);
  try {
    const node = parser.node(depth);
    parser.skipSpace();
    if (!parser.atEnd()) parser.fail(`unexpected ${parser.describeNext()} after the flow`);
    return { ok: true, value: node };
  } catch (error) {
    if (error instanceof FlowSyntaxError) return { ok: false, problems: [error.problem] };
    throw error;
  }
}

class FlowSyntaxError extends Error {
  constructor(readonly problem: WorkflowProblem) {
    super(problem.message);
  }
}

function fail(path: string, message: string, column: number): Parsed<never> {
  return { ok: false, problems: [{ path, message, column }] };
}

class FlowTextParser {
  private offset = 0;

  constructor(
    private readonly text: string,
    private readonly path: string,
  ) {}

  atEnd(): boolean {
    return this.offset >= this.text.length;
  }

  fail(message: string, offset = this.offset): never {
    throw new FlowSyntaxError({ path: this.path, message, column: offset + 1 });
  }

  describeNext(): string {
    return this.atEnd() ? 'end of text' : `'${this.text[this.offset]}'`;
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.offset] ?? '')) this.offset += 1;
  }

  node(depth: number): FlowNode {
    if (depth >= MAX_FLOW_DEPTH) this.fail(`the flow nests deeper than ${MAX_FLOW_DEPTH} levels`);
    this.skipSpace();
    const start = this.offset;
    const name = this.name();
    const at = this.path;
    const column = start + 1;
    this.skipSpace();
    if (this.text[this.offset] !== '(') {
      if (!stepIdSchema.safeParse(name).success) this.fail(`'${name}' is not a step id`, start);
      return { kind: 'step', id: name, at, column };
    }
    this.offset += 1;
    switch (name) {
      case 'sequence':
      case 'parallel': {
        const items = [this.node(depth + 1)];
        while (this.comma()) items.push(this.node(depth + 1));
        this.close(name);
        return { kind: name, items, at, column };
      }
      case 'choice': {
        const condition = this.string('a condition');
        this.expectComma();
        const branch = this.node(depth + 1);
        const otherwise = this.comma() ? this.node(depth + 1) : null;
        this.close(name);
        return { kind: 'choice', condition, branch, otherwise, at, column };
      }
      case 'forEach': {
        const items = this.string('a list expression');
        this.expectComma();
        this.skipSpace();
        const stepAt = this.offset;
        const step = this.name();
        if (!stepIdSchema.safeParse(step).success) this.fail(`'${step}' is not a step id`, stepAt);
        this.expectComma();
        this.skipSpace();
        const countAt = this.offset;
        const digits = /^\d{1,6}/.exec(this.text.slice(this.offset))?.[0];
        if (digits === undefined) this.fail('expected maxItems, a whole number');
        this.offset += digits.length;
        const problem = fanOutLimit(Number(digits));
        if (problem !== null) this.fail(problem, countAt);
        this.close(name);
        return { kind: 'forEach', items, maxItems: Number(digits), step, at, column };
      }
      default:
        return this.fail(`unknown form '${name}': sequence, parallel, choice or forEach`, start);
    }
  }

  private name(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.offset, this.offset + 128));
    if (match === null) this.fail(`expected a step or a form, found ${this.describeNext()}`);
    this.offset += match[0].length;
    return match[0];
  }

  private comma(): boolean {
    this.skipSpace();
    if (this.text[this.offset] !== ',') return false;
    this.offset += 1;
    return true;
  }

  private expectComma(): void {
    if (!this.comma()) this.fail(`expected ',', found ${this.describeNext()}`);
  }

  private close(form: string): void {
    this.skipSpace();
    if (this.text[this.offset] !== ')') this.fail(`expected ',' or ')' to close ${form}(, found ${this.describeNext()}`);
    this.offset += 1;
  }

  private string(what: string): string {
    this.skipSpace();
    const quote = this.text[this.offset];
    if (quote !== '"' && quote !== "'") this.fail(`expected ${what} in quotes, found ${this.describeNext()}`);
    const start = this.offset;
    this.offset += 1;
    let value = '';
    while (!this.atEnd()) {
      const char = this.text[this.offset] ?? '';
      this.offset += 1;
      if (char === quote) return value;
      if (char === '\\') {
        const escaped = this.text[this.offset];
        if (escaped !== quote && escaped !== '\\') this.fail(`only \\${quote} and \\\\ are escapes in a flow string`, this.offset - 1);
        value += escaped;
        this.offset += 1;
      } else value += char;
    }
    return this.fail('unterminated string', start);
  }
}
