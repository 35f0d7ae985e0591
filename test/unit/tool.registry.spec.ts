import { describe, expect, it } from 'vitest';
import { toolCommandSchema } from '../../domain/tool/commands.ts';
import { MAX_TOOL_VERSIONS, MAX_TOOLS_PER_ORG, toolIdFor } from '../../domain/tool/fields.ts';
import { allowedToolHostsOf, isToolHostAllowed } from '../../domain/tool/allowed-hosts.ts';
import { admin, now, orgId, otherOrgId, toolId, toolName, toolRegistered, toolRetired, toolSpec, toolSpecOf as spec } from '../support/tool-fixtures.ts';

const register = (overrides = {}) => ({ type: 'RegisterTool' as const, data: { orgId, spec: toolSpec(overrides) } });
const update = (overrides = {}) => ({ type: 'UpdateTool' as const, data: { orgId, name: toolName, spec: toolSpec(overrides) } });
const retire = { type: 'RetireTool' as const, data: { orgId, name: toolName, reason: 'replaced' } };

describe('the tool registry: one stream per (org, name)', () => {
  it('derives one id from the org and the name, another for another org or name', () => {
    expect(toolIdFor(orgId, toolName)).toBe(toolIdFor(orgId.toUpperCase(), toolName));
    expect(toolIdFor(otherOrgId, toolName)).not.toBe(toolId);
    expect(toolIdFor(orgId, 'web.fetch')).not.toBe(toolId);
  });

  it('registers a tool as version 1, recording its spec and who registered it', () => {
    spec.given([]).when(register()).thenEvents([toolRegistered()]);
  });

  it('refuses a second registration of an active name, and registers a retired one again as its next version', () => {
    spec.given([toolRegistered()]).when(register()).thenError('TOOL_ALREADY_EXISTS');
    spec
      .given([toolRegistered(), toolRetired()])
      .when(register())
      .thenEvents([toolRegistered(toolSpec(), 2)]);
  });

  it('updates an active tool to its next version; the same spec again is no new version', () => {
    const changed = toolSpec({ description: 'searches the web, better' });
    spec
      .given([toolRegistered()])
      .when(update({ description: 'searches the web, better' }))
      .thenEvents([{ type: 'ToolUpdated', data: { toolId, orgId, name: toolName, version: 2, spec: changed, updatedBy: admin, updatedAt: now } }]);
    spec.given([toolRegistered()]).when(update()).thenNothing();
  });

  it('retires an active tool once; updating a retired or unknown tool is refused', () => {
    spec.given([toolRegistered()]).when(retire).thenEvents([toolRetired()]);
    spec.given([toolRegistered(), toolRetired()]).when(retire).thenNothing();
    spec
      .given([toolRegistered(), toolRetired()])
      .when(update({ description: 'x' }))
      .thenError('TOOL_RETIRED');
    spec.given([]).when(update()).thenError('TOOL_NOT_FOUND');
    spec.given([]).when(retire).thenError('TOOL_NOT_FOUND');
  });

  it('caps the versions of one tool', () => {
    const history = [toolRegistered(toolSpec(), MAX_TOOL_VERSIONS)];
    spec
      .given(history)
      .when(update({ description: 'one more' }))
      .thenError('TOOL_VERSIONS_EXHAUSTED', { maxVersions: MAX_TOOL_VERSIONS });
  });

  it("caps an org's tools: a new one past the cap, or one not counted, is refused; a retired one comes back in its place", () => {
    spec.given([]).when(register(), { toolCount: MAX_TOOLS_PER_ORG }).thenError('TOOLS_EXHAUSTED', { maxTools: MAX_TOOLS_PER_ORG });
    spec
      .given([])
      .when(register(), { toolCount: MAX_TOOLS_PER_ORG - 1 })
      .thenTypes(['ToolRegistered']);
    spec.given([]).when(register(), { toolCount: undefined }).thenError('TOOL_COUNT_UNKNOWN');
    spec.given([toolRegistered(), toolRetired()]).when(register(), { toolCount: MAX_TOOLS_PER_ORG }).thenTypes(['ToolRegistered']);
  });

  it('changes tools of active orgs only', () => {
    spec.given([]).when(register(), { orgStatus: null }).thenError('ORG_NOT_FOUND');
    spec.given([toolRegistered()]).when(retire, { orgStatus: 'suspended' }).thenError('ORG_NOT_ACTIVE');
  });

  it('refuses an HTTP endpoint on a host the org does not allow, naming the field; other kinds reach no host', () => {
    spec
      .given([])
      .when(register({ endpoint: { kind: 'http', url: 'https://evil.test/steal' } }))
      .thenError('TOOL_HOST_NOT_ALLOWED', { host: 'evil.test', field: 'spec.endpoint.url' });
    spec.given([]).when(register(), { allowedHosts: [] }).thenError('TOOL_HOST_NOT_ALLOWED');
    spec
      .given([])
      .when(register({ endpoint: { kind: 'mcp', server: { transport: 'http', url: 'https://mcp.other.test/' }, remoteName: 'search' } }))
      .thenError('TOOL_HOST_NOT_ALLOWED', { field: 'spec.endpoint.server.url' });
    spec
      .given([])
      .when(register({ endpoint: { kind: 'nats', subject: 'tools.search' } }), { allowedHosts: [] })
      .thenTypes(['ToolRegistered']);
  });
});

describe("an org's allowed hosts (metadata tools.allowedHosts)", () => {
  it('reads names and subdomain wildcards, leaving malformed entries out', () => {
    expect(allowedToolHostsOf({ 'tools.allowedHosts': ' API.example.com, *.search.test, not a host, local.test:8443, ' })).toEqual([
      'api.example.com',
      '*.search.test',
      'local.test:8443',
    ]);
    expect(allowedToolHostsOf({})).toEqual([]);
  });

  it('matches names on any port, a name and port on that port only, and a wildcard only below its domain', () => {
    const allowed = ['api.example.com', '*.search.test', 'local.test:8443'];
    const allows = (url: string) => isToolHostAllowed(new URL(url), allowed);
    expect(allows('https://API.example.com/x')).toBe(true);
    expect(allows('https://api.example.com:9000/x')).toBe(true);
    expect(allows('https://eu.search.test/x')).toBe(true);
    expect(allows('https://search.test/x')).toBe(false);
    expect(allows('https://evilsearch.test/x')).toBe(false);
    expect(allows('https://example.com/x')).toBe(false);
    expect(allows('https://local.test:8443/x')).toBe(true);
    expect(allows('https://local.test/x')).toBe(false);
  });
});

describe('tool commands as parsed', () => {
  it('refuses a schema that is not a usable JSON Schema, naming the path under the field', () => {
    const parsed = toolCommandSchema.safeParse({
      type: 'RegisterTool',
      data: { orgId, spec: { ...toolSpec(), inputSchema: { type: 'object', properties: { q: { type: 'text' } } } } },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain('data.spec.inputSchema.properties.q.type');
  });

  it('refuses an update that renames the tool', () => {
    const parsed = toolCommandSchema.safeParse({ type: 'UpdateTool', data: { orgId, name: 'web.fetch', spec: toolSpec() } });
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['data.spec.name']);
  });
});
