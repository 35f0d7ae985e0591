import { type AllowedHosts, hostAllowed, orgHosts } from './allowed-hosts.ts';
import { CallDeadline } from './deadline.ts';
import { CANCELLED, CallClock, CappedBytes, outputTooLarge, parsedOutput } from './outcome.ts';
import type { ToolRunResult } from './port.ts';
import type { HttpEndpoint, ToolCallOf } from './runnable-tool.ts';

/** Resolves a secret an org holds by name at call time; undefined when the org has no secret of that name. */
export type SecretResolver = (orgId: string, name: string) => string | undefined | Promise<string | undefined>;

const MAX_REDIRECTS = 3;
const ERROR_BODY_CHARS = 300;

/**
 * The `http` kind: the input POSTed (or PUT) as JSON to a host the org allows, the JSON answer its output. Redirects
 * are followed only on the same host (307 and 308, which keep the method and body); a redirect elsewhere is
 * `host_not_allowed`, since following it would reach a host nobody checked. The body is read through a cap, so a
 * flood costs at most `maxOutputBytes`. Secret headers are resolved per call and their values are never put in a
 * message, even when the endpoint echoes them back in an error.
 */
export class HttpToolRunner {
  constructor(private readonly deps: { allowedHosts: AllowedHosts; secrets: SecretResolver }) {}

  async run(call: ToolCallOf<HttpEndpoint>): Promise<ToolRunResult> {
    const clock = new CallClock();
    if (call.signal.aborted) return clock.failed('cancelled', CANCELLED);
    const { endpoint } = call.tool;
    const allowed = await orgHosts(this.deps.allowedHosts, call.orgId);
    if (typeof allowed === 'string') return clock.failed('unreachable', allowed);
    let url = new URL(endpoint.url);
    if (!hostAllowed(url, allowed)) return clock.failed('host_not_allowed', `the host ${url.host} is not one the org allows its tools to reach`);
    const resolved = await this.headers(call);
    if (typeof resolved === 'string') return clock.failed('unreachable', resolved);
    const { headers, secretValues } = resolved;
    const deadline = new CallDeadline(call.tool.timeoutMs, call.signal);
    try {
      for (let redirects = 0; ; redirects += 1) {
        const response = await fetch(url, { method: endpoint.method, headers, body: JSON.stringify(call.input), redirect: 'manual', signal: deadline.signal });
        const location = response.headers.get('location');
        if (response.status < 300 || response.status >= 400 || location === null) return await answer(response, call.tool.maxOutputBytes, clock, secretValues);
        await response.body?.cancel();
        const next = new URL(location, url);
        if (next.host !== url.host || !hostAllowed(next, allowed)) return clock.failed('host_not_allowed', `the tool redirected to ${next.host}, another host`);
        if (response.status !== 307 && response.status !== 308)
          return clock.failed('remote_error', `the tool answered HTTP ${response.status}, a redirect that would drop the input`);
        if (redirects === MAX_REDIRECTS) return clock.failed('remote_error', `the tool redirected more than ${MAX_REDIRECTS} times`);
        url = next;
      }
    } catch (error) {
      if (deadline.signal.aborted) return deadline.failure(clock);
      // The origin only: the path and query are the spec's, but a message should not carry more than it needs.
      return clock.failed('unreachable', `could not reach ${url.origin} (${failureCause(error)})`);
    } finally {
      deadline.dispose();
    }
  }

  /** The request's headers with each secret resolved, or the message naming a secret the org does not hold. */
  private async headers(call: ToolCallOf<HttpEndpoint>): Promise<{ headers: Record<string, string>; secretValues: string[] } | string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    const secretValues: string[] = [];
    for (const [name, value] of Object.entries(call.tool.endpoint.headers)) {
      if (typeof value === 'string') {
        headers[name] = value;
        continue;
      }
      let secret: string | undefined;
      try {
        secret = await this.deps.secrets(call.orgId, value.secret);
      } catch {
        // The store's error could quote what it holds: the message names the secret only.
        return `the org's secret named ${value.secret} could not be read (header ${name})`;
      }
      if (secret === undefined) return `the org has no secret named ${value.secret} (header ${name})`;
      headers[name] = secret;
      secretValues.push(secret);
    }
    return { headers, secretValues };
  }
}

/** The response's body read within the cap; a non-2xx status is the tool's own error. */
async function answer(response: Response, maxBytes: number, clock: CallClock, secretValues: readonly string[]): Promise<ToolRunResult> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel();
    return clock.failed('output_too_large', outputTooLarge(maxBytes));
  }
  const body = new CappedBytes(maxBytes);
  if (response.body !== null) {
    const reader = response.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      if (!body.push(read.value)) {
        await reader.cancel();
        return clock.failed('output_too_large', outputTooLarge(maxBytes));
      }
    }
  }
  if (response.ok) {
    const parsed = parsedOutput(body.text(), clock);
    // bad_output quotes the start of the body, which an endpoint may have filled with what it was sent.
    return parsed.ok ? parsed : { ...parsed, message: redacted(parsed.message, secretValues) };
  }
  const excerpt = redacted(body.text().slice(0, ERROR_BODY_CHARS), secretValues);
  return clock.failed('remote_error', `the tool answered HTTP ${response.status}${excerpt.trim() === '' ? '' : `: ${excerpt}`}`);
}

function redacted(text: string, secretValues: readonly string[]): string {
  return secretValues.reduce((result, secret) => (secret === '' ? result : result.split(secret).join('[secret]')), text);
}

/** Why fetch failed, from its cause's code (ECONNREFUSED, ENOTFOUND) when it has one. */
function failureCause(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause !== undefined && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
