import { InvalidMessageError, InvalidSubjectError, NoResponderError, RequestTimeoutError } from '../bus/errors.ts';
import type { Bus } from '../bus/port.ts';
import { CallDeadline } from './deadline.ts';
import { CANCELLED, CallClock, outputTooLarge, timedOut } from './outcome.ts';
import type { ToolRunResult } from './port.ts';
import type { NatsEndpoint, ToolCallOf } from './runnable-tool.ts';

/**
 * Subjects a tool may not name: the platform's own (`agencygrid.`: the agents' gateway, inboxes and events answer
 * there) and the server's and replies' (`$`, `_INBOX.`). A tool is a service of the org's, never the platform itself.
 */
const RESERVED_SUBJECT = /^(agencygrid\.|\$|_INBOX\.)/i;

/**
 * The `nats` kind: one request on the tool's subject through the platform's bus, its JSON payload the input and the
 * reply's the output. The bus decodes the reply (non-JSON is `bad_output`) and refuses a payload above the server's
 * max payload; the reply is then held to the tool's `maxOutputBytes`, measured as JSON. A cancel answers at once; a
 * late reply is dropped by the bus.
 */
export class NatsToolRunner {
  constructor(private readonly bus: Bus | undefined) {}

  async run(call: ToolCallOf<NatsEndpoint>): Promise<ToolRunResult> {
    const clock = new CallClock();
    if (call.signal.aborted) return clock.failed('cancelled', CANCELLED);
    const { subject } = call.tool.endpoint;
    const bus = this.bus;
    if (bus === undefined) return clock.failed('unreachable', 'this platform has no bus for NATS tools');
    if (RESERVED_SUBJECT.test(subject)) return clock.failed('host_not_allowed', `the subject ${subject} is reserved for the platform and the server`);
    const deadline = new CallDeadline(call.tool.timeoutMs, call.signal);
    try {
      return await Promise.race([request(bus, call, clock), deadline.stopped(clock)]);
    } finally {
      deadline.dispose();
    }
  }
}

async function request(bus: Bus, call: ToolCallOf<NatsEndpoint>, clock: CallClock): Promise<ToolRunResult> {
  const { tool } = call;
  try {
    const reply = await bus.request(tool.endpoint.subject, { data: call.input }, { timeoutMs: tool.timeoutMs });
    if (Buffer.byteLength(JSON.stringify(reply.data)) > tool.maxOutputBytes) return clock.failed('output_too_large', outputTooLarge(tool.maxOutputBytes));
    return clock.succeeded(reply.data);
  } catch (error) {
    if (error instanceof NoResponderError) return clock.failed('unreachable', `no service answers on ${tool.endpoint.subject}`);
    if (error instanceof RequestTimeoutError) return clock.failed('timeout', timedOut(tool.timeoutMs));
    if (error instanceof InvalidMessageError) return clock.failed('bad_output', `the reply on ${tool.endpoint.subject} is not JSON`);
    if (error instanceof InvalidSubjectError) return clock.failed('host_not_allowed', `${tool.endpoint.subject} is not a subject a tool may use`);
    // The bus down, the request too large for the server, a permission: the tool could not be reached.
    return clock.failed('unreachable', `the request on ${tool.endpoint.subject} failed (${error instanceof Error ? error.message : String(error)})`);
  }
}
