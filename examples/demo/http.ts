/** A tiny JSON client for the demo: every call must answer the status it expects, or the demo stops and says why. */
export function httpClient(baseUrl: string, adminKey: string) {
  async function call(method: string, path: string, body: unknown, expected: number, key = adminKey): Promise<Record<string, unknown>> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status !== expected) throw new Error(`${method} ${path}: expected ${expected}, got ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }
  return {
    post: (path: string, body: unknown, expected = 200, key?: string) => call('POST', path, body, expected, key),
    get: (path: string, expected = 200, key?: string) => call('GET', path, undefined, expected, key),
  };
}
