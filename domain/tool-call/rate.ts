/**
 * An org's tool calls per minute, from its metadata key `tools.maxCallsPerMinute` (a non-negative integer string;
 * `"0"` allows no call); absent or malformed, the default. Counted over the last 60 seconds, sliding.
 */
export const MAX_CALLS_PER_MINUTE_METADATA_KEY = 'tools.maxCallsPerMinute';
export const DEFAULT_MAX_TOOL_CALLS_PER_MINUTE = 600;
export const TOOL_CALL_RATE_WINDOW_MS = 60_000;

export function maxToolCallsPerMinuteOf(metadata: Readonly<Record<string, string>>): number {
  const configured = Object.hasOwn(metadata, MAX_CALLS_PER_MINUTE_METADATA_KEY) ? metadata[MAX_CALLS_PER_MINUTE_METADATA_KEY] : undefined;
  return configured !== undefined && /^\d{1,7}$/.test(configured) ? Number(configured) : DEFAULT_MAX_TOOL_CALLS_PER_MINUTE;
}
