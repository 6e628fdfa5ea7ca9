/**
 * The few MCP shapes a hand-written client needs on top of plain JSON-RPC:
 * `initialize`, `tools/call`, and reading a tool result. Servers use the
 * MCP SDK instead.
 */

/** The MCP protocol version our hand-written clients announce. */
export const MCP_PROTOCOL_VERSION = '2025-06-18';

/** Who a client says it is in `initialize`. */
export interface ClientInfo {
  name: string;
  version: string;
}

/** `params` of an `initialize` request. */
export function initializeParams(clientInfo: ClientInfo): object {
  return { protocolVersion: MCP_PROTOCOL_VERSION, capabilities: {}, clientInfo };
}

/** `params` of a `tools/call` request. */
export function toolCallParams(name: string, args: unknown): object {
  return { name, arguments: args };
}

/** What a tool result says, as far as our clients read it. */
export interface ToolResultText {
  /** The result's `isError` flag: a tool error rather than a JSON-RPC error. */
  isError: boolean;
  /** The first text content item's text (Godot and Dewey send exactly one), if any. */
  text: string | undefined;
}

/** Reads the `result` of a `tools/call` reply; anything not shaped like a tool result reads as no text. */
export function readToolResult(result: unknown): ToolResultText {
  if (typeof result !== 'object' || result === null) return { isError: false, text: undefined };
  const { isError, content } = result as { isError?: unknown; content?: unknown };
  let text: string | undefined;
  if (Array.isArray(content)) {
    for (const item of content as unknown[]) {
      const candidate = (item as { text?: unknown } | null)?.text;
      if (typeof candidate === 'string') {
        text = candidate;
        break;
      }
    }
  }
  return { isError: isError === true, text };
}
