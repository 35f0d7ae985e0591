/** The hosts an org lets its tools reach over HTTP, asked per call so a change to the org's list applies at once. */
export type AllowedHosts = (orgId: string) => readonly string[] | Promise<readonly string[]>;

/**
 * Whether `url`'s host is one of `allowed`: an entry is a host name (any port), a `host:port` (that port only) or
 * `*.example.com` (its subdomains, not example.com itself). Compared without case; nothing else (no IP ranges, no
 * resolution: a name is allowed as written).
 */
export function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return allowed.some((entry) => {
    const wanted = entry.trim().toLowerCase();
    if (wanted.startsWith('*.')) return hostname.endsWith(wanted.slice(1));
    return wanted === hostname || wanted === host;
  });
}

/**
 * The org's allowed hosts, or the message of why they could not be read: the list lives with the org's settings, and
 * a lookup that fails (its store unavailable) fails the call as `unreachable` for its retry policy, not as a throw.
 */
export async function orgHosts(allowedHosts: AllowedHosts, orgId: string): Promise<readonly string[] | string> {
  try {
    return await allowedHosts(orgId);
  } catch (error) {
    return `the org's allowed hosts could not be read (${error instanceof Error ? error.message : String(error)})`;
  }
}
