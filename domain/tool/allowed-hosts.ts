/**
 * The hosts an org's HTTP tools may reach, from its metadata key `tools.allowedHosts` (until an org-configuration
 * aggregate exists, metadata is where an org's settings live, as `quota.maxOpenJobs` and `work.*` do; changing it is
 * `org.update`, governed like any other command). A comma-separated list of host names (`api.example.com`) and
 * wildcards for the subdomains of one (`*.example.com`, which does not match `example.com` itself). Absent or
 * empty: no host, so an org reaches nothing over HTTP until it says where. Compared without case, ports ignored.
 */
export const ALLOWED_TOOL_HOSTS_METADATA_KEY = 'tools.allowedHosts';

const HOST_ENTRY = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*$/;

/** The org's allowed host entries, malformed entries left out (they match nothing). */
export function allowedToolHostsOf(metadata: Readonly<Record<string, string>>): string[] {
  const configured = Object.hasOwn(metadata, ALLOWED_TOOL_HOSTS_METADATA_KEY) ? metadata[ALLOWED_TOOL_HOSTS_METADATA_KEY] : undefined;
  if (configured === undefined) return [];
  return configured
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => HOST_ENTRY.test(entry));
}

/** Whether `host` (a URL's hostname) is one of `allowed`. */
export function isToolHostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((entry) => (entry.startsWith('*.') ? name.endsWith(entry.slice(1)) && name.length > entry.length - 1 : name === entry));
}
