import { describe, expect, it } from 'vitest';
import { readToolError } from './tool-error.js';

describe('readToolError', () => {
  it("reads Godot's reason and whether to retry", () => {
    const result = {
      isError: true,
      content: [{ type: 'text', text: 'MCP error -32602: …' }],
      _meta: { 'godot/error': { reason: 'invalid_input', retryable: false } },
    };
    expect(readToolError(result)).toEqual({ reason: 'invalid_input', retryable: false });
  });

  it.each([
    ['no result', undefined],
    ['no _meta', { isError: true, content: [] }],
    ['other _meta', { _meta: { progressToken: 1 } }],
    ['_meta not an object', { _meta: 'godot/error' }],
    ['no retryable', { _meta: { 'godot/error': { reason: 'internal' } } }],
    ['retryable as text', { _meta: { 'godot/error': { reason: 'x', retryable: 'false' } } }],
    ['reason not text', { _meta: { 'godot/error': { reason: 7, retryable: true } } }],
  ])('reads nothing from %s', (_name, result) => {
    expect(readToolError(result)).toBeUndefined();
  });
});
