import { describe, it, expect } from 'vitest';
import { MAX_INPUT_LIST_LENGTH, toConditionInput, type ConditionInput } from '../../domain/policy/cel-input.ts';
import {
  CONDITION_CACHE_SIZE,
  clearConditionCache,
  compileCondition,
  conditionCacheSize,
  evaluateCondition,
  positionOf,
  type ConditionResult,
} from '../../domain/policy/conditions.ts';
import { MAX_CONDITION_LENGTH, type PolicyRequest } from '../../domain/policy/types.ts';

function input(data: unknown, patch: Partial<PolicyRequest> = {}): ConditionInput {
  const request: PolicyRequest = {
    principal: { id: 'p1', kind: 'subject', roles: ['writer'], groups: ['g1'], capabilities: { writing: 3, review: 1.5 } },
    action: 'doc.publish',
    resource: { type: 'doc', id: 'd1', jobSpace: 'js-1', attributes: {} },
    org: { id: 'o1', status: 'active', ownerId: null, tags: ['lab'], metadata: { tier: 'gold' } },
    command: { type: 'PublishDoc', data },
    now: '2025-06-02T10:00:00.250Z',
    ...patch,
  };
  const converted = toConditionInput(request);
  if (!converted.ok) throw new Error(converted.message);
  return converted.input;
}

const ok = (value: boolean): ConditionResult => ({ ok: true, value });

describe('condition values', () => {
  it.each([
    ['integers are ints', { n: 150 }, 'command.data.n == 150 && command.data.n + 1 == 151 && type(command.data.n) == int'],
    ['negative integers are ints', { n: -3 }, 'command.data.n < 0 && type(command.data.n) == int'],
    ['fractions are doubles', { x: 0.5 }, 'command.data.x == 0.5 && type(command.data.x) == double'],
    ['ints and doubles compare', { n: 2, x: 2.5 }, 'command.data.n < command.data.x && command.data.n == 2.0'],
    ['unsafe integers are doubles', { big: 2 ** 60 }, 'type(command.data.big) == double'],
    ['strings', { s: 'héllo' }, 'command.data.s.startsWith("hé") && size(command.data.s) == 5'],
    ['booleans', { b: true }, 'command.data.b'],
    ['null', { z: null }, 'command.data.z == null'],
    ['lists', { l: [1, 'a', null] }, 'size(command.data.l) == 3 && command.data.l[0] == 1 && "a" in command.data.l'],
    ['maps', { m: { a: { b: 'c' } } }, 'command.data.m.a.b == "c" && "a" in command.data.m && has(command.data.m.a.b) && !has(command.data.m.x)'],
    ['undefined keys are absent', { u: undefined, k: 1 }, '!has(command.data.u) && size(command.data) == 1'],
    ['a bigint within int64 is an int', { n: 9_007_199_254_740_993n }, 'command.data.n == 9007199254740993'],
    ['a payload that is a scalar', 'plain', 'command.data == "plain"'],
  ])('%s', (_name, data, source) => {
    expect(evaluateCondition(source, input(data))).toEqual(ok(true));
  });

  it('exposes the typed request variables', () => {
    const source = [
      'principal.id == "p1"',
      'principal.kind == "subject"',
      '"writer" in principal.roles',
      'principal.groups == ["g1"]',
      'principal.capabilities.writing == 3',
      'principal.capabilities.review > 1',
      'action == "doc.publish"',
      'resource.type == "doc" && resource.id == "d1" && resource.jobSpace == "js-1"',
      'org.id == "o1" && org.status == "active" && org.ownerId == null && org.tags == ["lab"] && org.metadata.tier == "gold"',
      'command.type == "PublishDoc"',
      'now == timestamp("2025-06-02T10:00:00.250Z")',
      'now.getMilliseconds() == 250',
    ].join(' && ');
    expect(evaluateCondition(source, input({}))).toEqual(ok(true));
  });

  it('rejects NaN, Infinity, out-of-range bigints and non-JSON objects', () => {
    const base = {
      principal: { id: 'p', kind: 'subject' as const, roles: [], groups: [], capabilities: {} },
      action: 'a.b',
      resource: { type: 't', id: null, jobSpace: null, attributes: {} },
      org: { id: null, status: null, ownerId: null, tags: [], metadata: {} },
      now: '2025-01-01T00:00:00Z',
    };
    const convert = (data: unknown) => toConditionInput({ ...base, command: { type: 'X', data } });
    expect(convert({ x: Number.NaN })).toEqual({ ok: false, message: 'non-finite number NaN at command.data.x' });
    expect(convert({ x: [Infinity] })).toEqual({ ok: false, message: 'non-finite number Infinity at command.data.x[0]' });
    expect(convert({ x: 2n ** 64n })).toEqual({ ok: false, message: 'integer outside the int64 range at command.data.x' });
    expect(convert({ 'a key': new Map() })).toEqual({ ok: false, message: 'unsupported value (Map) at command.data["a key"]: only JSON data is accepted' });
    expect(convert({ f: () => 1 })).toEqual({ ok: false, message: 'unsupported value of type function at command.data.f' });
    expect(convert(Array.from({ length: MAX_INPUT_LIST_LENGTH }, () => 0)).ok).toBe(true);
  });
});

describe('compileCondition', () => {
  it('reuses the compiled condition for the same source (no reparse)', () => {
    clearConditionCache();
    const first = compileCondition('principal.id == "p1"');
    const second = compileCondition('principal.id == "p1"');
    expect(second).toBe(first);
    expect(conditionCacheSize()).toBe(1);
    const failed = compileCondition('principal.id ==');
    expect(compileCondition('principal.id ==')).toBe(failed);
  });

  it('keeps at most CONDITION_CACHE_SIZE entries, evicting the least recently used', () => {
    clearConditionCache();
    const hot = compileCondition('action == "hot"');
    for (let index = 0; index < CONDITION_CACHE_SIZE + 50; index += 1) {
      compileCondition(`action == "a${index}"`);
      if (index % 100 === 0) compileCondition('action == "hot"');
    }
    expect(conditionCacheSize()).toBe(CONDITION_CACHE_SIZE);
    expect(compileCondition('action == "hot"')).toBe(hot);
    const evictedBefore = compileCondition('action == "a0"');
    expect(compileCondition('action == "a0"')).toBe(evictedBefore);
  });

  it('caps the source length', () => {
    const result = compileCondition(`action == "${'x'.repeat(MAX_CONDITION_LENGTH)}"`);
    expect(result).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining(`at most ${MAX_CONDITION_LENGTH}`) as unknown, offset: MAX_CONDITION_LENGTH },
    });
  });

  it('rejects an empty condition', () => {
    expect(compileCondition('   ')).toEqual({ ok: false, error: { message: 'a condition must not be empty' } });
  });

  it('reports runtime errors with a position instead of throwing', () => {
    expect(evaluateCondition('action == "x" || command.data.missing', input({}))).toEqual({
      ok: false,
      error: { message: 'No such key: missing', offset: 30, line: 1, column: 31 },
    });
    expect(evaluateCondition('int(command.data.s) > 1', input({ s: 'nope' }))).toMatchObject({ ok: false });
    expect(evaluateCondition('command.data.n + 9223372036854775807 > 0', input({ n: 1 }))).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/overflow/) as unknown },
    });
    expect(evaluateCondition('now.getHours("Not/AZone") > 1', input({}))).toMatchObject({ ok: false });
  });

  it('converts offsets to 1-based lines and columns', () => {
    expect(positionOf('ab\ncd\nef', 0)).toEqual({ offset: 0, line: 1, column: 1 });
    expect(positionOf('ab\ncd\nef', 4)).toEqual({ offset: 4, line: 2, column: 2 });
    expect(positionOf('ab\ncd\nef', 6)).toEqual({ offset: 6, line: 3, column: 1 });
    expect(positionOf('ab', 99)).toEqual({ offset: 2, line: 1, column: 3 });
  });
});

describe('time functions', () => {
  const at = (now: string) => input({ createdAt: '2025-03-30T00:30:00+01:00', naive: '2025-03-30T00:30:00' }, { now });

  it.each([
    ['inZone gives wall-clock fields in a zone', '2025-03-30T02:30:00Z', 'now.inZone("Europe/Zurich").hour == 4 && now.inZone("Europe/Zurich").minute == 30'],
    [
      'inZone month/day are 1-based, dayOfWeek 0 = Sunday',
      '2025-03-30T02:30:00Z',
      'now.inZone("UTC").month == 3 && now.inZone("UTC").day == 30 && now.inZone("UTC").dayOfWeek == 0 && now.inZone("UTC").dayOfYear == 89',
    ],
    ['inZone crosses the date line', '2025-12-31T23:30:00Z', 'now.inZone("Pacific/Auckland").year == 2026 && now.inZone("Pacific/Auckland").dayOfYear == 1'],
    ['instant() parses an instant with an offset', '2025-03-30T02:30:00Z', 'now - instant(command.data.createdAt) == duration("3h")'],
    ['timestamp() of a literal instant with a zone', '2025-03-30T02:30:00Z', 'now < timestamp("2025-03-30T04:31:00+02:00")'],
    ['timestamp() of epoch seconds', '2025-03-30T02:30:00Z', 'now > timestamp(1700000000)'],
  ])('%s', (_name, now, source) => {
    expect(evaluateCondition(source, at(now))).toEqual(ok(true));
  });

  it('inZone does not depend on the process time zone (the package getters do)', () => {
    const source = 'now.inZone("UTC").hour == 2 && now.inZone("UTC").dayOfYear == 89';
    const previous = process.env.TZ;
    try {
      for (const zone of ['UTC', 'Europe/Zurich', 'America/New_York', 'Asia/Kolkata']) {
        process.env.TZ = zone;
        expect(evaluateCondition(source, at('2025-03-30T02:30:00Z')), zone).toEqual(ok(true));
      }
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  it.each([
    ['now.getHours("Europe/Zurich") > 8', /time-zone getters depend on the server's own time zone/, 5],
    ['now.getDayOfYear() > 8', /getDayOfYear\(\) depends on the server's own time zone/, 5],
    ['now < timestamp("2026-01-01T00:00:00")', /timestamp\(\) needs an ISO-8601 instant with a time zone/, 17],
    ['now < timestamp(command.data.naive)', /timestamp\(\) parses a string without a zone/, 7],
    ['now < instant("2026-01-01")', /instant\(\) needs an ISO-8601 instant with a time zone/, 15],
    ['now.inZone("Mars/Olympus").hour > 1', /unknown time zone "Mars\/Olympus"/, 12],
  ])('refuses %s', (source, message, column) => {
    const result = compileCondition(source);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toMatch(message);
      expect(result.error.column).toBe(column);
    }
  });

  it('a zone-less instant in the data is a runtime error, and so is an unknown zone', () => {
    expect(evaluateCondition('now > instant(command.data.naive)', at('2025-03-30T02:30:00Z'))).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('requires an ISO-8601 instant with a time zone') as unknown },
    });
    expect(evaluateCondition('now.inZone(command.data.naive).hour > 1', at('2025-03-30T02:30:00Z'))).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('unknown time zone') as unknown },
    });
  });
});
