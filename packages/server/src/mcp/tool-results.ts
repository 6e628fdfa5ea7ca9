import { DeweyProtocolError, DeweyRejectedError, DeweyUnavailableError } from '@godot/shared';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { EntryRefusedError, QueueUnavailableError } from '../ingest/ingest-errors.js';
import { DeweyCannotClearError } from '../query/dewey-time-bug.js';

/**
 * A successful tool result: the payload as `structuredContent`, and its text
 * is exactly that object serialized (issue 11, point 3).
 */
export function okResult(payload: Record<string, unknown>): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(payload) }],
    structuredContent: payload,
  };
}

/** A tool error (`isError: true`) with one line of text. */
export function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/**
 * Turns any throw from a tool handler into a tool error that says what failed
 * and whose fault it is (style.md, principle 5). The reason is for metrics.
 */
export function describeFailure(tool: string, error: unknown): { text: string; reason: string } {
  if (error instanceof EntryRefusedError) return { text: error.message, reason: error.reason };
  if (error instanceof QueueUnavailableError) return { text: error.message, reason: 'redis' };
  if (error instanceof DeweyCannotClearError)
    return { text: error.message, reason: 'dewey_rejected' };
  if (error instanceof DeweyUnavailableError) {
    return {
      text: `Dewey unavailable (${error.reason}): ${error.message}`,
      reason: 'dewey_unavailable',
    };
  }
  if (error instanceof DeweyRejectedError) {
    return {
      text: `Dewey rejected ${tool} (${error.rpcCode}): ${error.rpcMessage}`,
      reason: 'dewey_rejected',
    };
  }
  if (error instanceof DeweyProtocolError)
    return { text: `Dewey: ${error.message}`, reason: 'dewey_bad_reply' };
  return {
    text: `${tool} failed: ${error instanceof Error ? error.message : String(error)}`,
    reason: 'internal',
  };
}
