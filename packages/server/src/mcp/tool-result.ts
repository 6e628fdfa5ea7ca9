import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * Why a tool call failed, in words that stay the same from release to
 * release, so that a program can decide without reading the text
 * (docs/product.md, "Tool errors").
 */
export type ToolErrorReason =
  /** The tool name is not one Godot serves. */
  | 'unknown_tool'
  /** The arguments break the tool's input schema; the text names the field. */
  | 'invalid_input'
  /** A `logger_log` entry over `MAX_ENTRY_BYTES`. */
  | 'entry_too_large'
  /** A `logger_log` entry that cannot be serialized (data nested too deeply). */
  | 'entry_unserializable'
  /** Redis did not confirm the entry in time, or the server is shutting down. */
  | 'queue_unavailable'
  /** Dewey could not be reached or did not answer in time. */
  | 'dewey_unavailable'
  /** This server already has MAX_TAILS `logger_tail` calls waiting. */
  | 'tails_busy'
  /** The recent window is off (RECENT_MAX_BYTES=0). */
  | 'recent_window_off'
  /** Dewey answered this call with an error. */
  | 'dewey_rejected'
  /**
   * Dewey's known date-time bug: it cannot run this call at all
   * (docs/dewey-contract.md#known-dewey-bug).
   */
  | 'dewey_time_bug'
  /** Dewey answered in a shape its contract does not allow. */
  | 'dewey_bad_reply'
  /** The tool's own result broke its output schema: a bug in Godot. */
  | 'invalid_output'
  /** Anything else thrown by a tool. */
  | 'internal';

/**
 * Whether the same call, sent again later, may succeed. One table, so that a
 * reason always comes with the same answer. `internal` is retryable as an
 * HTTP 500 is: nothing says the input is at fault. `queue_unavailable` is,
 * although an entry Redis received but did not confirm may then be stored
 * twice: duplicates are allowed, losses are not
 * (docs/product.md#at-least-once-delivery).
 */
const RETRYABLE: Readonly<Record<ToolErrorReason, boolean>> = {
  unknown_tool: false,
  invalid_input: false,
  entry_too_large: false,
  entry_unserializable: false,
  queue_unavailable: true,
  dewey_unavailable: true,
  tails_busy: true,
  recent_window_off: false,
  dewey_rejected: false,
  dewey_time_bug: false,
  dewey_bad_reply: false,
  invalid_output: false,
  internal: true,
};

/**
 * The `_meta` key of a tool error's reason. `_meta` is the field MCP keeps
 * for data about a result that is not the result; both SDK clients pass it
 * through untouched. `structuredContent` is no place for it: the TypeScript
 * SDK client checks a result's `structuredContent` against the tool's
 * output schema even when `isError` is set.
 */
export const TOOL_ERROR_META_KEY = 'godot/error';

/** What `_meta["godot/error"]` holds on every tool error Godot sends. */
export interface ToolErrorMeta {
  reason: ToolErrorReason;
  retryable: boolean;
}

/**
 * A successful tool result: the payload as `structuredContent`, and its text
 * is exactly that object serialized (docs/product.md, "The tools").
 */
export function okResult(payload: Record<string, unknown>): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(payload) }],
    structuredContent: payload,
  };
}

/**
 * A tool error (`isError: true`): one line of text for people, and its
 * reason with whether to retry in `_meta["godot/error"]` for programs.
 */
export function errorResult(text: string, reason: ToolErrorReason): CallToolResult {
  const meta: ToolErrorMeta = { reason, retryable: RETRYABLE[reason] };
  return {
    content: [{ type: 'text', text }],
    isError: true,
    _meta: { [TOOL_ERROR_META_KEY]: meta },
  };
}
