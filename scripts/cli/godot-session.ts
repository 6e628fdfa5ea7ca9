import { TransportError, WebSocketClientTransport } from '@godot/shared';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * `max_bytes` of the CLI's reads (`tail`, `trace`). The read tools' default (about 8,000 tokens)
 * budgets a model's context; people at a terminal are better served by
 * pages as large as `--limit` makes them (the server still caps them at
 * its `MAX_REPLY_BYTES`).
 */
export const CLI_MAX_BYTES = 1_000_000;

/** Where the CLI finds Godot. */
export interface GodotTarget {
  /** `ws://host:port`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. @default none */
  token?: string;
  /** Milliseconds allowed to open the connection. @default 5000 */
  connectTimeoutMs?: number;
}

/** A tool result as the CLI reads it. */
export interface ToolResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: boolean;
  _meta?: unknown;
}

/** How one call is made. */
export interface CallOptions {
  /** Aborts the call (Ctrl-C). @default none */
  signal?: AbortSignal;
  /** Milliseconds before the call fails with a request timeout. @default the SDK's 60000 */
  timeoutMs?: number;
}

/** One MCP connection to Godot. */
export interface GodotSession {
  call(name: string, args: Record<string, unknown>, options?: CallOptions): Promise<ToolResult>;
  close(): Promise<void>;
}

/** Connects the MCP SDK's `Client` to Godot over WebSocket; rejects with a `ConnectError` when it cannot. */
export async function openSession(target: GodotTarget): Promise<GodotSession> {
  const headers: Record<string, string> = target.token
    ? { authorization: `Bearer ${target.token}` }
    : {};
  const client = new Client({ name: 'godot-cli', version: '0.1.0' });
  await client.connect(
    new WebSocketClientTransport(target.url, {
      headers,
      connectTimeoutMs: target.connectTimeoutMs ?? 5000,
    }),
  );
  return {
    call: async (name, args, options = {}) =>
      (await client.callTool({ name, arguments: args }, undefined, {
        signal: options.signal,
        timeout: options.timeoutMs,
      })) as ToolResult,
    close: () => client.close(),
  };
}

/** The first text of a result: a tool error's message, or a reply's JSON. */
export function resultText(result: ToolResult): string {
  const content = Array.isArray(result.content) ? result.content : [];
  const first = content[0] as { text?: unknown } | undefined;
  return typeof first?.text === 'string' ? first.text : '';
}

/** A reply's object: its `structuredContent`, else its text read as JSON (an older Godot). */
export function payloadOf(result: ToolResult): unknown {
  return result.structuredContent ?? JSON.parse(resultText(result));
}

/** What a tool error says. */
export interface ToolFailure {
  text: string;
  /** Godot's stable reason (docs/product.md#tool-errors); undefined when the server gave none. */
  reason?: string;
  /** True when the same call may succeed later; false when the server did not say. */
  retryable: boolean;
}

/** The failure of a tool error (`isError`); undefined for a successful result. */
export function toolFailure(result: ToolResult): ToolFailure | undefined {
  if (!result.isError) return undefined;
  const meta = result._meta as Record<string, unknown> | undefined;
  const said = meta?.['godot/error'] as { reason?: unknown; retryable?: unknown } | undefined;
  return {
    text: resultText(result),
    reason: typeof said?.reason === 'string' ? said.reason : undefined,
    retryable: said?.retryable === true,
  };
}

/**
 * True when a call or a connect failed because the connection did (it
 * broke, never opened, or went silent past the request timeout): the same
 * call on a new connection may succeed. A JSON-RPC error the server sent
 * on purpose, or a bug on either side, is not one: trying again would
 * fail the same way.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof McpError) {
    return error.code === ErrorCode.ConnectionClosed || error.code === ErrorCode.RequestTimeout;
  }
  if (error instanceof TransportError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SOCKET_ERRORS.has(code);
}

/** Node's socket and name errors, should one reach the caller unwrapped. */
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
