import { LRUCache } from 'lru-cache';
import { Environment, EvaluationError, ParseError, TypeError as CelTypeError, type ASTNode, type Limits } from '@marcbachmann/cel-js';
import { CelCommand, CelOrg, CelPrincipal, CelResource, parseInstant, type ConditionInput } from './cel-input.ts';
import { isKnownTimeZone, zonedFields } from './cel-time.ts';
import { MAX_CONDITION_LENGTH } from './types.ts';

/**
 * CEL conditions (`when` / `unless`) of policy rules.
 *
 * Variables (nothing else: `unlistedVariablesAreDyn: false`, so a misspelled variable is a type error):
 * - `principal`: `agencygrid.Principal` {id: string, kind: string, roles: list<string>, groups: list<string>,
 *   capabilities: map<string, dyn>}
 * - `action`: string
 * - `resource`: `agencygrid.Resource` {type: string, id: dyn (string or null), jobSpace: dyn (string or null),
 *   attributes: map<string, dyn>}
 * - `org`: `agencygrid.Org` {id, status, ownerId: dyn (string or null), tags: list<string>,
 *   metadata: map<string, string>}
 * - `command`: `agencygrid.Command` {type: string, data: dyn}
 * - `now`: timestamp (`now < timestamp("2030-01-01T00:00:00Z")`, `now.getHours() >= 9` in UTC,
 *   `now.inZone("Europe/Zurich").hour >= 9` in a zone, `now - instant(resource.attributes.createdAt) < duration("1h")`)
 * The four objects are typed, so an unknown field (`principal.rolez`) is a type error at validation time rather
 * than a runtime error that would silently skip the rule. See cel-input.ts for how request values map to CEL values.
 *
 * Limits: source length MAX_CONDITION_LENGTH; parse-time structure CEL_LIMITS; comprehensions (`all`, `exists`,
 * `exists_one`, `map`, `filter`) nest at most MAX_COMPREHENSION_NESTING deep (with input lists capped, this bounds
 * the work of one evaluation); `matches()` is refused, because the package runs it as a JavaScript RegExp, which can
 * backtrack exponentially (`"aaaa…!".matches("^(a+)+$")` takes seconds at 30 characters), so a policy author could
 * stall the server. Time functions that depend on the server's own time zone are refused too (see cel-time.ts):
 * the time-zone getters (`getHours("Europe/Zurich")`, ...), `getDayOfYear()`, and `timestamp()` of anything but a
 * literal int or a literal ISO-8601 instant with a zone; `inZone()` and `instant()` replace them. The static result
 * type must be bool or dyn; a dyn that is not a bool at runtime is an error.
 *
 * Compiled conditions are cached by source text (LRU, CONDITION_CACHE_SIZE entries), failures included, so
 * evaluating the same policy repeatedly never reparses.
 */
export const CEL_LIMITS: Readonly<Limits> = Object.freeze({
  maxAstNodes: 500,
  maxDepth: 32,
  maxListElements: 100,
  maxMapEntries: 100,
  maxCallArguments: 8,
});
export const MAX_COMPREHENSION_NESTING = 1;
export const CONDITION_CACHE_SIZE = 1_000;

/** A condition problem, with its position in the expression when known (offset 0-based; line and column 1-based). */
export interface ConditionError {
  message: string;
  offset?: number;
  line?: number;
  column?: number;
}

export type ConditionResult = { ok: true; value: boolean } | { ok: false; error: ConditionError };

export interface CompiledCondition {
  readonly source: string;
  /** The statically inferred result type: `bool` or `dyn`. */
  readonly resultType: string;
  /** Evaluates against a converted request. Never throws. */
  evaluate(input: ConditionInput): ConditionResult;
}

export type CompileResult = { ok: true; condition: CompiledCondition } | { ok: false; error: ConditionError };

const COMPREHENSIONS: ReadonlySet<string> = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
/** Timestamp getters whose time-zone form reads the process time zone (see cel-time.ts). */
const ZONED_GETTERS: ReadonlySet<string> = new Set([
  'getDate',
  'getDayOfMonth',
  'getDayOfWeek',
  'getFullYear',
  'getHours',
  'getMinutes',
  'getMonth',
  'getSeconds',
  'getMilliseconds',
]);
const ZONED_GETTER_REFUSED =
  'time-zone getters depend on the server\'s own time zone; use ts.inZone("Area/City").hour (year, month, day, hour, minute, second, dayOfWeek, dayOfYear)';
const DAY_OF_YEAR_REFUSED = 'getDayOfYear() depends on the server\'s own time zone; use ts.inZone("UTC").dayOfYear';
const TIMESTAMP_REFUSED =
  "timestamp() parses a string without a zone in the server's own time zone; pass a literal instant with a zone, or use instant(value), which requires one";
const REFUSED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['matches', 'matches() is not available in policy conditions: its regular expressions can backtrack exponentially; use startsWith, endsWith, contains or =='],
]);

const environment = new Environment({
  unlistedVariablesAreDyn: false,
  homogeneousAggregateLiterals: true,
  enableOptionalTypes: false,
  limits: { ...CEL_LIMITS },
})
  .registerType('agencygrid.Principal', {
    ctor: CelPrincipal,
    fields: { id: 'string', kind: 'string', roles: 'list<string>', groups: 'list<string>', capabilities: 'map<string, dyn>' },
  })
  .registerType('agencygrid.Resource', {
    ctor: CelResource,
    fields: { type: 'string', id: 'dyn', jobSpace: 'dyn', attributes: 'map<string, dyn>' },
  })
  .registerType('agencygrid.Org', {
    ctor: CelOrg,
    fields: { id: 'dyn', status: 'dyn', ownerId: 'dyn', tags: 'list<string>', metadata: 'map<string, string>' },
  })
  .registerType('agencygrid.Command', { ctor: CelCommand, fields: { type: 'string', data: 'dyn' } })
  .registerVariable('principal', 'agencygrid.Principal', { description: 'The acting principal and its effective roles' })
  .registerVariable('action', 'string', { description: 'The action being decided, e.g. roster.role.define' })
  .registerVariable('resource', 'agencygrid.Resource', { description: 'What the action is about' })
  .registerVariable('org', 'agencygrid.Org', { description: 'The org the action happens in' })
  .registerVariable('command', 'agencygrid.Command', { description: 'The command: its type and payload' })
  .registerVariable('now', 'google.protobuf.Timestamp', { description: 'The instant of the decision' })
  .registerFunction('google.protobuf.Timestamp.inZone(string): map<string, int>', (instant: Date, timeZone: string) => zonedFields(instant, timeZone), {
    description: 'Wall-clock fields in an IANA time zone: year, month (1-12), day, hour (0-23), minute, second, dayOfWeek (0 = Sunday), dayOfYear (1-366)',
  })
  .registerFunction(
    'instant(string): google.protobuf.Timestamp',
    (text: string) => {
      const instant = parseInstant(text);
      if (instant === null) throw new RangeError(`instant() requires an ISO-8601 instant with a time zone, got ${JSON.stringify(text.slice(0, 40))}`);
      return instant;
    },
    { description: 'Parses an ISO-8601 instant that carries its time zone (Z or +hh:mm)' },
  );

const cache = new LRUCache<string, CompileResult>({ max: CONDITION_CACHE_SIZE });

/**
 * Compiles a condition (parse, static restrictions, type check), or returns the first error with its position.
 * Cached by source text. Never throws.
 */
export function compileCondition(source: string): CompileResult {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  const result = compileUncached(source);
  if (typeof source === 'string' && source.length <= MAX_CONDITION_LENGTH) cache.set(source, result);
  return result;
}

/** Compiles and evaluates in one call (through the cache). Never throws. */
export function evaluateCondition(source: string, input: ConditionInput): ConditionResult {
  const compiled = compileCondition(source);
  return compiled.ok ? compiled.condition.evaluate(input) : { ok: false, error: compiled.error };
}

export function conditionCacheSize(): number {
  return cache.size;
}

export function clearConditionCache(): void {
  cache.clear();
}

function compileUncached(source: string): CompileResult {
  if (typeof source !== 'string') return failure({ message: 'a condition must be a string' });
  if (source.length > MAX_CONDITION_LENGTH) {
    return failure({
      message: `condition is ${source.length} characters long; at most ${MAX_CONDITION_LENGTH} are allowed`,
      ...positionOf(source, MAX_CONDITION_LENGTH),
    });
  }
  if (source.trim().length === 0) return failure({ message: 'a condition must not be empty' });

  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = environment.parse(source);
  } catch (error) {
    return failure(toConditionError(error, source));
  }
  const refused = findRefused(parsed.ast, 0, source);
  if (refused !== null) return failure(refused);

  let checked: ReturnType<typeof parsed.check>;
  try {
    checked = parsed.check();
  } catch (error) {
    return failure(toConditionError(error, source));
  }
  if (!checked.valid) return failure(toConditionError(checked.error, source));
  const resultType = checked.type ?? 'dyn';
  if (resultType !== 'bool' && resultType !== 'dyn') {
    return failure({ message: `a condition must evaluate to a bool, but this one is of type ${resultType}`, ...positionOf(source, parsed.ast.start) });
  }

  const condition: CompiledCondition = Object.freeze({
    source,
    resultType,
    evaluate(input: ConditionInput): ConditionResult {
      let value: unknown;
      try {
        value = parsed(input);
      } catch (error) {
        return { ok: false, error: toConditionError(error, source) };
      }
      if (typeof value === 'boolean') return { ok: true, value };
      return { ok: false, error: { message: `condition returned ${celTypeName(value)}, expected bool`, ...positionOf(source, parsed.ast.start) } };
    },
  });
  return { ok: true, condition };
}

function failure(error: ConditionError): CompileResult {
  return { ok: false, error };
}

/** Offset -> 1-based line and column (columns count UTF-16 code units, as the offsets do). */
export function positionOf(source: string, offset: number): Required<Omit<ConditionError, 'message'>> {
  const clamped = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let index = source.indexOf('\n'); index !== -1 && index < clamped; index = source.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return { offset: clamped, line, column: clamped - lineStart + 1 };
}

/** Formats an error for a decision: the message, then where it is. */
export function describeConditionError(error: ConditionError): string {
  return error.line === undefined || error.column === undefined ? error.message : `${error.message} (line ${error.line}, column ${error.column})`;
}

export function toConditionError(error: unknown, source: string): ConditionError {
  if (error instanceof ParseError || error instanceof EvaluationError || error instanceof CelTypeError) {
    const start = error.range?.start ?? error.node?.start;
    const message = error.summary.length > 0 ? error.summary : firstLine(error.message);
    return typeof start === 'number' ? { message, ...positionOf(source, start) } : { message };
  }
  if (error instanceof Error) return { message: firstLine(error.message) };
  return { message: String(error) };
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}

function celTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'double';
  if (typeof value === 'string') return 'string';
  if (value instanceof Date) return 'timestamp';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value === 'object' ? 'map' : typeof value;
}

/** Static restrictions the type checker does not express: refused functions and comprehension nesting. */
function findRefused(node: ASTNode, nesting: number, source: string): ConditionError | null {
  const at = (message: string, target: ASTNode): ConditionError => ({ message, ...positionOf(source, target.start) });
  switch (node.op) {
    case 'value':
    case 'id':
      return null;
    case '.':
    case '.?':
      return findRefused(node.args[0], nesting, source);
    case '!_':
    case '-_':
      return findRefused(node.args, nesting, source);
    case 'call': {
      const [name, args] = node.args;
      const refused = REFUSED_FUNCTIONS.get(name);
      if (refused !== undefined) return at(refused, node);
      if (name === 'timestamp' && args.length === 1 && args[0] !== undefined) {
        const [argument] = args;
        if (argument.op !== 'value') return at(TIMESTAMP_REFUSED, node);
        if (typeof argument.args === 'string' && parseInstant(argument.args) === null) {
          return at(`timestamp() needs an ISO-8601 instant with a time zone (Z or +hh:mm), got ${JSON.stringify(argument.args.slice(0, 40))}`, argument);
        }
      }
      if (name === 'instant' && args[0]?.op === 'value' && typeof args[0].args === 'string' && parseInstant(args[0].args) === null) {
        return at(`instant() needs an ISO-8601 instant with a time zone (Z or +hh:mm), got ${JSON.stringify(args[0].args.slice(0, 40))}`, args[0]);
      }
      return firstRefused(args, nesting, source);
    }
    case 'rcall': {
      const [name, receiver, args] = node.args;
      // Point at the method name (`x.matches(...)`: the node itself starts at its receiver).
      const nameAt = (message: string): ConditionError => {
        const offset = source.indexOf(name, receiver.end);
        return { message, ...positionOf(source, offset === -1 ? node.start : offset) };
      };
      const refused = REFUSED_FUNCTIONS.get(name);
      if (refused !== undefined) return nameAt(refused);
      if (name === 'getDayOfYear') return nameAt(DAY_OF_YEAR_REFUSED);
      if (ZONED_GETTERS.has(name) && args.length > 0) return nameAt(ZONED_GETTER_REFUSED);
      const zone = args[0];
      if (name === 'inZone' && zone?.op === 'value' && typeof zone.args === 'string' && !isKnownTimeZone(zone.args)) {
        return at(`unknown time zone ${JSON.stringify(zone.args.slice(0, 64))}`, zone);
      }
      const inReceiver = findRefused(receiver, nesting, source);
      if (inReceiver !== null) return inReceiver;
      if (!COMPREHENSIONS.has(name)) return firstRefused(args, nesting, source);
      if (nesting + 1 > MAX_COMPREHENSION_NESTING) {
        return nameAt(`comprehensions (all, exists, exists_one, map, filter) may nest at most ${MAX_COMPREHENSION_NESTING} deep`);
      }
      return firstRefused(args, nesting + 1, source);
    }
    case 'list':
      return firstRefused(node.args, nesting, source);
    case 'map':
      for (const [key, value] of node.args) {
        const found = findRefused(key, nesting, source) ?? findRefused(value, nesting, source);
        if (found !== null) return found;
      }
      return null;
    case '?:':
      return firstRefused(node.args, nesting, source);
    default:
      return firstRefused(node.args, nesting, source);
  }
}

function firstRefused(nodes: readonly ASTNode[], nesting: number, source: string): ConditionError | null {
  for (const child of nodes) {
    const found = findRefused(child, nesting, source);
    if (found !== null) return found;
  }
  return null;
}
