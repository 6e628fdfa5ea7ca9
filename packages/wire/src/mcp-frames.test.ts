import { describe, expect, it } from 'vitest';
import { initializeParams, readToolResult, toolCallParams } from './mcp-frames.js';

describe('MCP frames', () => {
  it('builds initialize and tools/call params', () => {
    expect(initializeParams({ name: 'c', version: '1' })).toEqual({
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'c', version: '1' },
    });
    expect(toolCallParams('logger_log', { a: 1 })).toEqual({
      name: 'logger_log',
      arguments: { a: 1 },
    });
  });

  it('reads the first text of a tool result and its isError flag', () => {
    expect(readToolResult({ content: [{ type: 'text', text: '{"ok":1}' }] })).toEqual({
      isError: false,
      text: '{"ok":1}',
    });
    expect(
      readToolResult({
        isError: true,
        content: [{ type: 'image' }, { type: 'text', text: 'bad' }],
      }),
    ).toEqual({ isError: true, text: 'bad' });
  });

  it.each([undefined, null, 5, {}, { content: 'x' }, { content: [null, 3] }, { isError: 'yes' }])(
    'reads %j as no text, no error',
    (result) => {
      expect(readToolResult(result)).toEqual({ isError: false, text: undefined });
    },
  );
});
