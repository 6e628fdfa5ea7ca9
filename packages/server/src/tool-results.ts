import { DeweyProtocolError, DeweyRejectedError, DeweyUnavailableError } from '@godot/shared';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { EntryRefusedError, QueueUnavailableError } from './ingest-errors.js';

/** A successful tool result: the payload as text JSON, plus structured content when given. */
export function okResult(payload: unknown, structured?: Record<string, unknown>): CallToolResult {
  const result: CallToolResult = { content: [{ type: 'text', text: JSON.stringify(payload) }] };
  if (structured) result.structuredContent = structured;
  return result;
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
