import type { UnreadReplyLimits } from './unread-reply-guard.js';

/** The WebSocket subprotocol MCP clients may offer (the SDK's client always does). */
export const MCP_SUBPROTOCOL = 'mcp';

/**
 * Largest frame a server accepts. `ws` enforces it, not the transport: pass it
 * as `new WebSocketServer({ maxPayload })`, and `ws` closes a connection that
 * sends more with 1009 (message too big). 4 MiB covers `MAX_ENTRY_BYTES`
 * (1 MiB) with room for JSON-RPC framing and escaping.
 */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * `handleProtocols` for `new WebSocketServer(...)`: selects `mcp` when
 * offered. Anything else still connects, with no subprotocol selected:
 * today's Python clients offer none, and refusing unknown offers would turn
 * a harmless mismatch into an outage.
 */
export function selectSubprotocol(protocols: Set<string>): string | false {
  return protocols.has(MCP_SUBPROTOCOL) ? MCP_SUBPROTOCOL : false;
}

/** Default of `pingIntervalMs`. */
export const DEFAULT_PING_INTERVAL_MS = 30_000;

/**
 * How long a connection closed by `evict` (or by a limit) may take to finish
 * the closing handshake before its socket is destroyed: a peer that does not
 * read never finishes it, and would otherwise hold its unread replies for
 * `ws`'s 30 s.
 */
export const EVICT_GRACE_MS = 1000;

/** Options of `WebSocketServerTransport`. */
export interface WebSocketServerTransportOptions {
  /**
   * Milliseconds between WebSocket pings. A peer that has not answered one
   * ping when the next is due is taken for dead and its socket terminated,
   * so a vanished client does not hold a connection forever.
   * @default 30_000
   */
  pingIntervalMs?: number;
  /**
   * Exposed as `transport.sessionId`. WebSocket MCP has no session header, so
   * this is only a label the caller may want the SDK to see.
   * @default undefined
   */
  sessionId?: string;
  /**
   * Requests the peer may have unanswered at once. One more is answered at
   * once with JSON-RPC error -32005 for its id and never reaches the SDK;
   * the connection stays open. A `notifications/cancelled` for a counted
   * request is not handed on: the SDK would then send no reply and the slot
   * would never free, and our tools cannot stop midway anyway (MCP lets a
   * receiver ignore a cancellation it cannot honour; the client ignores the
   * late reply).
   * @default undefined (no limit)
   */
  maxCallsInFlight?: number;
  /**
   * Backpressure for a peer that does not read its replies: see
   * `UnreadReplyLimits`.
   * @default undefined (no limit)
   */
  unreadReplies?: UnreadReplyLimits;
  /**
   * Clock for `lastMessageAt`.
   * @default Date.now
   */
  now?: () => number;
}
