/** The platform refused an agent's request: the same `code`, `message` and `details` the HTTP API would answer. */
export class AgentRequestError extends Error {
  override readonly name = 'AgentRequestError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(`${code}: ${message}`);
  }
}
