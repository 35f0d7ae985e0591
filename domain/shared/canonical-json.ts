import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted (code-unit order), no whitespace, keys whose value is `undefined` left out
 * (as JSON.stringify does), arrays in their order. Two values with the same content give the same text whatever
 * the order their keys were written in. Throws on what JSON cannot represent (non-finite numbers, bigint,
 * functions, symbols, non-plain objects) rather than hashing something lossy.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${String(value)}`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) throw new TypeError('canonicalJson: only plain objects are supported');
      const record = value as Readonly<Record<string, unknown>>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: unsupported value of type ${typeof value}`);
  }
}

/** SHA-256 (lowercase hex) of a value's canonical JSON: the same for the same content, whatever the order of its keys. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
