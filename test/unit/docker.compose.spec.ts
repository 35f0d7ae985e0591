import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MissingVariableError, composeVariables, composeWith, dotenvNames, interpolate, readRepoFile } from '../support/compose.ts';

const key = `${'a'.repeat(16)}0123456789abcdef`;

/** `host_ip:host_port:container_port` of a short-syntax port (compose's own format for IPv4). */
function hostIp(port: string): string {
  const parts = port.split(':');
  return parts.length === 3 ? (parts[0] ?? '') : '0.0.0.0';
}

describe('docker-compose.yml', () => {
  it('refuses to start without an admin key, naming the variable and where to put it', () => {
    for (const env of [{}, { AGENCYGRID_ADMIN_KEY: '' }]) {
      let refusal: unknown;
      try {
        composeWith(env);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(MissingVariableError);
      expect(refusal).toMatchObject({ variable: 'AGENCYGRID_ADMIN_KEY' });
      expect((refusal as MissingVariableError).hint).toMatch(/\.env.*docs\/docker\.md/);
    }
    expect(composeWith({ AGENCYGRID_ADMIN_KEY: key }).services.app?.environment?.AGENCYGRID_ADMIN_KEY).toBe(key);
  });

  it('publishes every port, the app’s included, on 127.0.0.1 unless the operator says otherwise', () => {
    const services = composeWith({ AGENCYGRID_ADMIN_KEY: key }).services;
    const published = Object.entries(services).flatMap(([name, service]) => (service.ports ?? []).map((port) => ({ name, port, ip: hostIp(port) })));
    expect(published.map(({ name }) => name)).toContain('app');
    expect(published.filter(({ ip }) => ip !== '127.0.0.1')).toEqual([]);
    expect(services.app?.ports).toEqual(['127.0.0.1:8080:8080']);
    // The documented way to expose it; the backing services stay on the loopback address.
    const exposed = composeWith({ AGENCYGRID_ADMIN_KEY: key, AGENCYGRID_PUBLISH_ADDRESS: '0.0.0.0' }).services;
    expect(exposed.app?.ports).toEqual(['0.0.0.0:8080:8080']);
    expect(exposed.redis?.ports).toEqual(['127.0.0.1:6379:6379']);
  });

  it('checks the app’s health with the probe the image ships, as the Dockerfile does', () => {
    const health = composeWith({ AGENCYGRID_ADMIN_KEY: key }).services.app?.healthcheck;
    expect(health?.test).toEqual(['CMD', 'node', '/app/bin/healthcheck.mjs']);
    const dockerfile = readRepoFile('Dockerfile');
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
    expect(dockerfile).toMatch(/^COPY \. \.$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*CMD \["node", "\/app\/bin\/healthcheck\.mjs"\]$/m);
    expect(existsSync(new URL('../../bin/healthcheck.mjs', import.meta.url))).toBe(true);
  });

  it('.env.example names every variable the compose file reads, and as shipped does not start compose', () => {
    const example = readRepoFile('.env.example');
    expect(dotenvNames(example).sort()).toEqual(composeVariables());
    // Copied unchanged, the key is empty: compose refuses rather than start without an admin key the operator holds.
    const values = Object.fromEntries([...example.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']));
    expect(() => composeWith(values)).toThrow(MissingVariableError);
    expect(readRepoFile('.gitignore').split('\n')).toContain('.env');
    expect(readRepoFile('.dockerignore').split('\n')).toContain('.env');
  });

  it('interpolates as compose does: defaults, required values and escaped dollars', () => {
    expect(interpolate('${A:-x}|${A-y}|$$A|${B}|$B', { A: '', B: 'b' })).toBe('x||$A|b|b');
    expect(() => interpolate('${A?gone}', {})).toThrow('required variable A is missing a value: gone');
    expect(interpolate('${A?gone}', { A: '' })).toBe('');
  });
});
