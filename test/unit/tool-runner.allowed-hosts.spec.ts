import { describe, expect, it } from 'vitest';
import { hostAllowed } from '../../infra/tool-runners/allowed-hosts.ts';

const allowed = (url: string, entries: readonly string[]) => hostAllowed(new URL(url), entries);

describe("an org's allowed hosts", () => {
  it('allows a host name on any port, compared without case', () => {
    expect(allowed('https://API.Example.com/v1', ['api.example.com'])).toBe(true);
    expect(allowed('http://api.example.com:8080/v1', ['API.example.com'])).toBe(true);
    expect(allowed('https://other.example.com/v1', ['api.example.com'])).toBe(false);
  });

  it('allows a host:port entry on that port only', () => {
    expect(allowed('http://10.0.0.5:8080/', ['10.0.0.5:8080'])).toBe(true);
    expect(allowed('http://10.0.0.5:9090/', ['10.0.0.5:8080'])).toBe(false);
  });

  it('allows the subdomains of a *. entry, not the domain itself nor a look-alike', () => {
    expect(allowed('https://a.b.example.com/', ['*.example.com'])).toBe(true);
    expect(allowed('https://example.com/', ['*.example.com'])).toBe(false);
    expect(allowed('https://badexample.com/', ['*.example.com'])).toBe(false);
  });

  it('allows nothing with an empty list', () => {
    expect(allowed('http://127.0.0.1/', [])).toBe(false);
  });
});
