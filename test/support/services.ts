/** A service named in REQUIRE_SERVICES must run: its suite fails instead of skipping. */
export function isRequired(service: string): boolean {
  return (process.env.REQUIRE_SERVICES ?? '')
    .split(',')
    .map((name) => name.trim())
    .includes(service);
}

/**
 * Decides whether a suite for an external server runs. Prints the one-line reason when it does not, and throws
 * when the service is required (CI) but not configured.
 */
export function serviceUrl(service: string, envVar: string): string | undefined {
  const url = process.env[envVar];
  if (url) return url;
  if (isRequired(service)) throw new Error(`${service} is required (REQUIRE_SERVICES) but ${envVar} is not set`);
  console.log(`skipped: ${envVar} not set (${service} contract suite)`);
  return undefined;
}
