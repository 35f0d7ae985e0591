import { describe, expect, it } from 'vitest';
import { mcpErrorMessage, mcpOutput } from '../../infra/tool-runners/mcp-result.ts';

describe('the output of an MCP tool result', () => {
  it('is its structuredContent when it has one, whatever its text says', () => {
    expect(mcpOutput({ structuredContent: { answer: 42 }, content: [{ type: 'text', text: '"something else"' }] })).toEqual({ answer: 42 });
  });

  it('is its text parsed as JSON when the text is JSON, else the text', () => {
    expect(mcpOutput({ content: [{ type: 'text', text: '{"a":[1,2]}' }] })).toEqual({ a: [1, 2] });
    expect(mcpOutput({ content: [{ type: 'text', text: 'plain words' }] })).toBe('plain words');
  });

  it('joins several text parts before reading them', () => {
    expect(
      mcpOutput({
        content: [
          { type: 'text', text: 'line one' },
          { type: 'image', data: 'AA==', mimeType: 'image/png' },
          { type: 'text', text: 'line two' },
        ],
      }),
    ).toBe('line one\nline two');
  });

  it('is the content as it is when it has no text, and a legacy toolResult when that is all there is', () => {
    const image = { type: 'image', data: 'AA==', mimeType: 'image/png' };
    expect(mcpOutput({ content: [image] })).toEqual([image]);
    expect(mcpOutput({ toolResult: { legacy: true } })).toEqual({ legacy: true });
  });

  it("names an error result's text, bounded", () => {
    expect(mcpErrorMessage({ isError: true, content: [{ type: 'text', text: 'no such file' }] })).toBe('the MCP tool answered an error: no such file');
    expect(mcpErrorMessage({ isError: true, content: [{ type: 'text', text: 'x'.repeat(5000) }] }).length).toBeLessThan(600);
    expect(mcpErrorMessage({ isError: true })).toBe('the MCP tool answered an error');
  });
});
