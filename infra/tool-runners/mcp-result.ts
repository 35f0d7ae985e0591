import type { JsonValue } from '../json-value.ts';

/** What a tools/call answers (`content`, `structuredContent`, `isError`, or a legacy server's `toolResult`), read field by field. */
export type McpCallResult = Readonly<Record<string, unknown>>;

const ERROR_TEXT_CHARS = 500;

/** The text parts of a result's content, joined; empty when it has none. */
function textOf(result: McpCallResult): string {
  if (!Array.isArray(result.content)) return '';
  return result.content
    .flatMap((part: unknown) => {
      const item = part as { type?: unknown; text?: unknown };
      return item.type === 'text' && typeof item.text === 'string' ? [item.text] : [];
    })
    .join('\n');
}

/**
 * A tool's output from an MCP result: its structuredContent when it has one (the typed answer MCP tools with an
 * output schema give), else its text parsed as JSON when it is JSON, else the text itself, else the content as is
 * (images and resources, for the caller to judge against the tool's output schema).
 */
export function mcpOutput(result: McpCallResult): JsonValue {
  if (result.structuredContent !== undefined && result.structuredContent !== null) return result.structuredContent as JsonValue;
  if (result.content === undefined && result.toolResult !== undefined) return result.toolResult as JsonValue;
  const text = textOf(result);
  if (text === '') return (result.content ?? []) as JsonValue;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** The message of a result the tool flagged `isError`: its text, bounded. */
export function mcpErrorMessage(result: McpCallResult): string {
  const text = textOf(result).slice(0, ERROR_TEXT_CHARS);
  return text === '' ? 'the MCP tool answered an error' : `the MCP tool answered an error: ${text}`;
}
