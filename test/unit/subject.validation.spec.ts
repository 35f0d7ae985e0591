import { describe, expect, it } from 'vitest';
import { subjectCommandSchema } from '../../domain/subject/commands.ts';
import { capabilityNameSchema, endpointSchema, MAX_CAPABILITIES } from '../../domain/subject/fields.ts';
import { subjectId } from '../support/subject-fixtures.ts';

describe('subject endpoints', () => {
  it.each([
    'https://agents.example.com/writer',
    'http://writer.lab.svc:8080/invoke?mode=sync',
    'http://10.0.0.5:9000',
    'https://[::1]:8443/',
    'nats:agents.lab.writer',
    'nats:w',
    'nats:agents.lab-1.writer_2',
  ])('accepts %s', (endpoint) => {
    expect(endpointSchema.safeParse(endpoint).success).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['another scheme', 'ftp://files.example.com/x'],
    ['a script', 'javascript:alert(1)'],
    ['an uppercase scheme', 'HTTPS://agents.example.com'],
    ['no host', 'https://'],
    ['a single slash', 'http:/agents.example.com'],
    ['a space', 'https://agents.example.com/a b'],
    ['a newline', 'https://agents.example.com/\n'],
    ['a non-ASCII host', 'https://exämple.com/'],
    ['credentials', 'https://user:secret@agents.example.com/'],
    ['an empty userinfo', 'https://@agents.example.com/'],
    ['a fragment', 'https://agents.example.com/#part'],
    ['an empty fragment', 'https://agents.example.com/#'],
    ['a port out of range', 'https://agents.example.com:99999/'],
    ['too long a URL', `https://agents.example.com/${'a'.repeat(2048)}`],
    ['an empty NATS subject', 'nats:'],
    ['an empty NATS token', 'nats:agents..writer'],
    ['a trailing dot', 'nats:agents.'],
    ['a * wildcard', 'nats:agents.*'],
    ['a > wildcard', 'nats:agents.>'],
    ['a NATS server URL', 'nats://demo.nats.io:4222'],
    ['a space in a NATS subject', 'nats:agents writer'],
    ['too long a NATS subject', `nats:${'a'.repeat(256)}`],
  ])('refuses %s', (_name, endpoint) => {
    expect(endpointSchema.safeParse(endpoint).success).toBe(false);
  });
});

describe('capability names', () => {
  it.each(['nlp', 'nlp.summarize', 'lang.python3', 'code_review.security', 'constructor'])('accepts %s', (name) => {
    expect(capabilityNameSchema.safeParse(name).success).toBe(true);
  });

  it.each(['', 'NLP', 'nlp.', '.nlp', 'nlp..x', '3d.render', 'nlp.3d', 'nlp-summarize', '__proto__', 'a b', 'x'.repeat(101)])('refuses %j', (name) => {
    expect(capabilityNameSchema.safeParse(name).success).toBe(false);
  });
});

describe('subject commands', () => {
  const register = (data: Record<string, unknown>) =>
    subjectCommandSchema.safeParse({ type: 'RegisterSubject', data: { subjectId, kind: 'agent', displayName: 'W', ...data } });
  const claim = (name: string, level = 1) => ({ name, level });

  it('defaults description and capabilities on registration', () => {
    const parsed = register({});
    expect(parsed.success && parsed.data.data).toEqual({ subjectId, kind: 'agent', displayName: 'W', description: '', capabilities: [] });
  });

  it('refuses duplicate capability names, too many capabilities, levels outside 0..10 or fractional, long evidence', () => {
    expect(register({ capabilities: [claim('a'), claim('a', 2)] }).success).toBe(false);
    expect(register({ capabilities: Array.from({ length: MAX_CAPABILITIES + 1 }, (_, n) => claim(`s${n}`)) }).success).toBe(false);
    expect(register({ capabilities: Array.from({ length: MAX_CAPABILITIES }, (_, n) => claim(`s${n}`)) }).success).toBe(true);
    expect(register({ capabilities: [claim('a', 11)] }).success).toBe(false);
    expect(register({ capabilities: [claim('a', -1)] }).success).toBe(false);
    expect(register({ capabilities: [claim('a', 2.5)] }).success).toBe(false);
    expect(register({ capabilities: [{ ...claim('a', 0), evidence: 'x'.repeat(2000) }] }).success).toBe(true);
    expect(register({ capabilities: [{ ...claim('a'), evidence: 'x'.repeat(2001) }] }).success).toBe(false);
    expect(register({ capabilities: [{ ...claim('a'), verified: true }] }).success).toBe(false);
  });

  it('refuses an unknown kind, a blank or long display name, and unknown fields', () => {
    expect(register({ kind: 'robot' }).success).toBe(false);
    expect(register({ displayName: '  ' }).success).toBe(false);
    expect(register({ displayName: 'x'.repeat(121) }).success).toBe(false);
    expect(register({ registeredBy: 'me' }).success).toBe(false);
  });

  it('accepts a profile update that removes the endpoint, but not an empty one', () => {
    expect(subjectCommandSchema.safeParse({ type: 'UpdateSubjectProfile', data: { subjectId, endpoint: null } }).success).toBe(true);
    expect(subjectCommandSchema.safeParse({ type: 'UpdateSubjectProfile', data: { subjectId } }).success).toBe(false);
  });
});
