import type { PolicyRequest } from './types.ts';

/**
 * Turns a PolicyRequest into the values CEL conditions see. Pure: no clock (`now` comes in the request).
 *
 * Value mapping (JSON data model -> CEL):
 * - string -> string, boolean -> bool, null -> null_type;
 * - number: a safe integer (|n| <= 2^53 - 1) -> int (a JS bigint, as this CEL package represents ints); any other
 *   finite number -> double. So `{"amount": 150}` is compared as an int (`amount > 100`, `amount + 1` work) and
 *   `{"ratio": 0.5}` as a double. CEL has no implicit int/double arithmetic (`amount * 1.5` is an error: write
 *   `double(amount) * 1.5`), but comparisons and equality across int and double work. NaN and +-Infinity are rejected
 *   (JSON cannot carry them);
 * - bigint (not JSON, accepted for callers that have one) -> int when within int64, rejected otherwise;
 * - array -> list, plain object (prototype Object.prototype or null) -> map with string keys, held in a JS `Map`:
 *   the package finds a value's CEL type through `value.constructor`, so a plain object with a `constructor` key
 *   (`{"constructor": 1}` in a command payload) would make every condition touching it error, which an attacker
 *   could use to skip forbid rules; a Map also makes `__proto__` an ordinary key. A key whose value is `undefined`
 *   is left out and an `undefined` list element becomes null, as in JSON;
 * - anything else (Date, Map, class instances, functions, symbols) is rejected.
 * - `now` (an ISO-8601 instant with a time zone, `2025-01-01T10:00:00Z`) -> timestamp (millisecond precision).
 * - `principal`, `resource`, `org`, `command` -> typed CEL objects (see conditions.ts) whose fields are the
 *   converted values above, so a misspelled field (`principal.rolez`) is a type error when a policy is validated.
 *
 * Input limits: the request, serialized, must not exceed MAX_REQUEST_SIZE characters (counted while converting:
 * string lengths plus JSON punctuation, without escape expansion); nesting at most MAX_INPUT_DEPTH levels; a list
 * at most MAX_INPUT_LIST_LENGTH elements (bounds the work a comprehension over input data can do). A request over a
 * limit is not converted: every condition evaluated against it errors with the reason.
 */
export const MAX_REQUEST_SIZE = 64 * 1024;
export const MAX_INPUT_DEPTH = 32;
export const MAX_INPUT_LIST_LENGTH = 1_000;

export type CelValue = null | boolean | bigint | number | string | Date | readonly CelValue[] | CelMap;
export type CelMap = ReadonlyMap<string, CelValue>;

/** `principal` as CEL sees it (registered as the CEL type `agencygrid.Principal`). */
export class CelPrincipal {
  constructor(
    readonly id: CelValue,
    readonly kind: CelValue,
    readonly roles: CelValue,
    readonly groups: CelValue,
    readonly capabilities: CelValue,
  ) {}
}

/** `resource` as CEL sees it (`agencygrid.Resource`); `id` and `jobSpace` may be null. */
export class CelResource {
  constructor(
    readonly type: CelValue,
    readonly id: CelValue,
    readonly jobSpace: CelValue,
    readonly attributes: CelValue,
  ) {}
}

/** `org` as CEL sees it (`agencygrid.Org`); `id`, `status` and `ownerId` may be null. */
export class CelOrg {
  constructor(
    readonly id: CelValue,
    readonly status: CelValue,
    readonly ownerId: CelValue,
    readonly tags: CelValue,
    readonly metadata: CelValue,
  ) {}
}

/** `command` as CEL sees it (`agencygrid.Command`): its type and its payload. */
export class CelCommand {
  constructor(
    readonly type: CelValue,
    readonly data: CelValue,
  ) {}
}

/** The variables of a condition, converted once per decision and shared by every condition of that decision. */
export interface ConditionInput {
  readonly principal: CelPrincipal;
  readonly action: string;
  readonly resource: CelResource;
  readonly org: CelOrg;
  readonly command: CelCommand;
  readonly now: Date;
}

export type ConditionInputResult = { ok: true; input: ConditionInput } | { ok: false; message: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** `2025-01-01T10:00:00Z`, `2025-01-01T10:00:00.123+02:00`; the zone is required so the instant is unambiguous. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

class InputRejected extends Error {}

class Converter {
  size = 0;
  private readonly path: Array<string | number> = [];

  reject(problem: string, hint?: string): never {
    const where = this.path.length === 0 ? '' : ` at ${this.describePath()}`;
    throw new InputRejected(`${problem}${where}${hint === undefined ? '' : `: ${hint}`}`);
  }

  private describePath(): string {
    let text = '';
    for (const segment of this.path) {
      if (typeof segment === 'number') text += `[${segment}]`;
      else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) text += text.length === 0 ? segment : `.${segment}`;
      else text += `[${JSON.stringify(segment)}]`;
    }
    return text;
  }

  count(characters: number): void {
    this.size += characters;
    if (this.size > MAX_REQUEST_SIZE) {
      throw new InputRejected(`request too large for policy conditions: over ${MAX_REQUEST_SIZE} characters serialized`);
    }
  }

  /** `variable.name`, one level down in the request. */
  member(variable: string, name: string, value: unknown): CelValue {
    this.path.push(variable);
    const converted = this.field(name, value, 1);
    this.path.pop();
    return converted;
  }

  /** The members `names` of `variable` (whose value is `object`), converted in that order. */
  members<T extends object, const Names extends readonly (keyof T & string)[]>(variable: string, object: T, names: Names): { [I in keyof Names]: CelValue } {
    return names.map((name) => this.member(variable, name, object[name])) as { [I in keyof Names]: CelValue };
  }

  field(name: string, value: unknown, depth: number): CelValue {
    this.path.push(name);
    this.count(name.length + 4);
    const converted = this.value(value, depth);
    this.path.pop();
    return converted;
  }

  value(value: unknown, depth: number): CelValue {
    switch (typeof value) {
      case 'string':
        this.count(value.length + 2);
        return value;
      case 'boolean':
        this.count(5);
        return value;
      case 'number':
        if (!Number.isFinite(value)) this.reject(`non-finite number ${String(value)}`);
        this.count(String(value).length);
        return Number.isSafeInteger(value) ? BigInt(value) : value;
      case 'bigint':
        if (value < INT64_MIN || value > INT64_MAX) this.reject('integer outside the int64 range');
        this.count(String(value).length);
        return value;
      case 'undefined':
        this.count(4);
        return null;
      case 'object':
        if (value === null) {
          this.count(4);
          return null;
        }
        if (depth >= MAX_INPUT_DEPTH) this.reject(`nesting deeper than ${MAX_INPUT_DEPTH} levels`);
        if (Array.isArray(value)) return this.list(value, depth + 1);
        return this.map(value, depth + 1);
      default:
        return this.reject(`unsupported value of type ${typeof value}`);
    }
  }

  private list(items: readonly unknown[], depth: number): CelValue[] {
    if (items.length > MAX_INPUT_LIST_LENGTH) this.reject(`list of ${items.length} elements (at most ${MAX_INPUT_LIST_LENGTH})`);
    this.count(2 + items.length);
    const converted: CelValue[] = new Array<CelValue>(items.length);
    for (let index = 0; index < items.length; index += 1) {
      this.path.push(index);
      converted[index] = this.value(items[index], depth);
      this.path.pop();
    }
    return converted;
  }

  private map(object: object, depth: number): CelMap {
    const prototype: unknown = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) {
      const name = (object as { constructor?: { name?: unknown } }).constructor?.name;
      this.reject(`unsupported value (${typeof name === 'string' && name.length > 0 ? name : 'object'})`, 'only JSON data is accepted');
    }
    this.count(2);
    const converted = new Map<string, CelValue>();
    const entries = object as Readonly<Record<string, unknown>>;
    for (const key of Object.keys(object)) {
      const item = entries[key];
      if (item === undefined) continue;
      converted.set(key, this.field(key, item, depth));
    }
    return converted;
  }
}

/** Parses `now`: an ISO-8601 instant with a zone. Returns null when it is not one. */
export function parseInstant(text: string): Date | null {
  if (!ISO_INSTANT.test(text)) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Converts a request into condition input, or says why it cannot be (over a limit, or not JSON data). Never throws.
 */
export function toConditionInput(request: PolicyRequest): ConditionInputResult {
  const converter = new Converter();
  try {
    const { principal, resource, org, command } = request;
    const input: ConditionInput = {
      principal: new CelPrincipal(...converter.members('principal', principal, ['id', 'kind', 'roles', 'groups', 'capabilities'])),
      action: stringField(converter, 'action', request.action),
      resource: new CelResource(...converter.members('resource', resource, ['type', 'id', 'jobSpace', 'attributes'])),
      org: new CelOrg(...converter.members('org', org, ['id', 'status', 'ownerId', 'tags', 'metadata'])),
      command: new CelCommand(...converter.members('command', command, ['type', 'data'])),
      now: instantField(converter, request.now),
    };
    return { ok: true, input };
  } catch (error) {
    if (error instanceof InputRejected) return { ok: false, message: error.message };
    return { ok: false, message: `request could not be converted for policy conditions: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function stringField(converter: Converter, name: string, value: unknown): string {
  const converted = converter.field(name, value, 1);
  if (typeof converted !== 'string') return converter.reject(`${name} must be a string`);
  return converted;
}

function instantField(converter: Converter, value: unknown): Date {
  const text = stringField(converter, 'now', value);
  const instant = parseInstant(text);
  if (instant === null) return converter.reject(`now must be an ISO-8601 instant with a time zone, got ${JSON.stringify(text.slice(0, 40))}`);
  return instant;
}
