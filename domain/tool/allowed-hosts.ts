/**
 * The hosts an org's HTTP tools may reach, from its metadata key `tools.allowedHosts` (until an org-configuration
 * aggregate exists, metadata is where an org's settings live, as `quota.maxOpenJobs` and `work.*` do; changing it is
 * `org.update`, governed like any other command). A comma-separated list of host names (`api.example.com`, any
 * port), `host:port` (that port only) and wildcards for the subdomains of one (`*.example.com`, which does not match
 * `example.com` itself): the entries the HTTP runner checks each call against (infra/tool-runners/allowed-hosts.ts).
 * Absent or empty: no host, so an org reaches nothing over HTTP until it says where. Compared without case.
 */
export const ALLOWED_TOOL_HOSTS_METADATA_KEY = 'tools.allowedHosts';

const HOST_ENTRY = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*(:\d{1,5})?$/;

/** The org's allowed host entries, malformed entries left out (they match nothing). */
export function allowedToolHostsOf(metadata: Readonly<Record<string, string>>): string[] {
  const configured = Object.hasOwn(metadata, ALLOWED_TOOL_HOSTS_METADATA_KEY) ? metadata[ALLOWED_TOOL_HOSTS_METADATA_KEY] : undefined;
  if (configured === undefined) return [];
  return configured
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => HOST_ENTRY.test(entry));
}

/** Whether `url`'s host is one of `allowed`: by its name (any port), its name and port, or a wildcard of its domain. */
export function isToolHostAllowed(url: URL, allowed: readonly string[]): boolean {
  const name = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return allowed.some((entry) => (entry.startsWith('*.') ? name.endsWith(entry.slice(1)) : name === entry || host === entry));
}
