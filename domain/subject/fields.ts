import { z } from 'zod';

export const subjectKindSchema = z.enum(['agent', 'human', 'service']);

export const displayNameSchema = z.string().trim().min(1).max(120);
export const descriptionSchema = z.string().max(2000);
export const reasonSchema = z.string().trim().min(1).max(1000);

export const MAX_ENDPOINT_LENGTH = 2048;
export const MAX_NATS_SUBJECT_LENGTH = 255;

/**
 * A concrete NATS subject: dot-separated tokens of letters, digits, `_` and `-`. Wildcards (`*`, `>`) name a set of
 * subjects to listen on, not one to send a request to, so they are refused.
 */
const natsEndpoint = /^nats:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

function isHttpEndpoint(value: string): boolean {
  // Printable ASCII only (an international host name must be given in punycode) and a lowercase scheme, so what is
  // stored is what a caller will dial.
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(value) || !URL.canParse(value)) return false;
  const url = new URL(value);
  const authority = value.slice(value.indexOf('//') + 2).split(/[/?#]/, 1)[0] ?? '';
  // Credentials in an endpoint would be written into the event log for ever (so even an empty `@` userinfo is refused);
  // a fragment is never sent to a server.
  return url.hostname !== '' && !authority.includes('@') && !value.includes('#');
}

export function isEndpoint(value: string): boolean {
  if (value.startsWith('nats:')) return natsEndpoint.test(value) && value.length - 'nats:'.length <= MAX_NATS_SUBJECT_LENGTH;
  return isHttpEndpoint(value);
}

/** Where a subject is reached: an http(s) URL without credentials or fragment, or `nats:<subject>` without wildcards. */
export const endpointSchema = z
  .string()
  .max(MAX_ENDPOINT_LENGTH)
  .refine(isEndpoint, 'an http(s) URL without credentials or fragment, or nats:<subject> (letters, digits, _ and - in dot-separated tokens, no wildcards)');

/** A lowercase dotted identifier, e.g. `nlp.summarize` or `lang.python3`. */
export const capabilityNameSchema = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/, 'lowercase dotted identifier: words of a-z, 0-9 and _ starting with a letter, joined by dots');

export const capabilityLevelSchema = z.int().min(0).max(10);
export const evidenceSchema = z.string().trim().min(1).max(2000);
export const noteSchema = z.string().trim().min(1).max(2000);

/** The most capabilities one subject may hold at once, declared at registration or later. */
export const MAX_CAPABILITIES = 100;
