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
