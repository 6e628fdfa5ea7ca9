import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CallsInFlightLimitError,
  InvalidFrameError,
  type Logger,
  selectSubprotocol,
  UnreadRepliesLimitError,
  WebSocketServerTransport,
  withDefaults,
} from '@godot/shared';
import type { Server as McpProtocolServer } from '@modelcontextprotocol/sdk/server/index.js';
import { type WebSocket, WebSocketServer } from 'ws';
import { AllowedOrigins } from '../auth/allowed-origins.js';
import { isAuthorizedRequest } from '../auth/auth.js';
import { BEARER_CHALLENGE, TOKEN_HINT } from '../auth/oauth-hint.js';
import type { ServerMetrics } from '../ops/server-metrics.js';
import { WebSocketLimitReport } from './limit-report.js';

/** Options of `WebSocketEndpoint`. */
export interface WebSocketEndpointOptions {
  /** Builds the MCP server (protocol instance) for one connection. */
  createMcpServer: (context: { remoteAddress?: string }) => McpProtocolServer;
  metrics: ServerMetrics;
  logger: Logger;
  /**
   * Required token, as `Authorization: Bearer <token>` or as `?access_token=`
   * on the URL (the SDKs' WebSocket clients cannot send headers); `undefined`
   * accepts everyone. @default undefined
   */
  authToken?: string;
  /** Largest incoming frame; bigger ones close the connection with 1009. */
  maxFrameBytes: number;
  /** WebSocket ping interval for dead-peer detection. @default 30000 */
  pingIntervalMs?: number;
  /**
   * Open connections (`MAX_CONNECTIONS`). A new one beyond it closes the
   * idlest connection with no call in flight (1013, try again later); when
   * every connection has a call in flight, the upgrade is refused with 503.
   * @default 1000
   */
  maxConnections?: number;
  /**
   * Unanswered requests per connection (`MAX_CALLS_IN_FLIGHT`); one more is
   * answered at once with JSON-RPC error -32005, and the connection stays.
   * @default 1000
   */
  maxCallsInFlight?: number;
  /**
   * Reply bytes a client may leave unread (`MAX_UNREAD_REPLY_BYTES`): over
   * it, its socket is not read until half has drained; still over it after
   * `unreadStallTimeoutMs`, or over twice it, it is closed with 1008.
   * @default 16 MiB
   */
  maxUnreadReplyBytes?: number;
  /** How long a client may stay over `maxUnreadReplyBytes`. @default 30000 */
  unreadStallTimeoutMs?: number;
  /**
   * Browser origins (`scheme://host[:port]`) allowed to open a WebSocket
   * (`ALLOWED_ORIGINS`); an upgrade with any other `Origin` gets 403, one
   * with no `Origin` (not a browser) is accepted.
   * @default []
   */
  allowedOrigins?: readonly string[];
}

const DEFAULTS = {
  maxConnections: 1000,
  maxCallsInFlight: 1000,
  maxUnreadReplyBytes: 16 * 1024 * 1024,
  unreadStallTimeoutMs: 30_000,
  allowedOrigins: [] as readonly string[],
};

/**
 * MCP over WebSocket on any path of the HTTP server's port (clients use `/`).
 * Every accepted socket gets its own transport and its own MCP server. Every
 * resource a client can hold here is capped, refused clearly and counted
 * (docs/product.md#resource-limits).
 */
export class WebSocketEndpoint {
  private readonly wss: WebSocketServer;
  private readonly open = new Map<WebSocket, WebSocketServerTransport>();
  private readonly options: WebSocketEndpointOptions & typeof DEFAULTS;
  private readonly origins: AllowedOrigins;
  private readonly report: WebSocketLimitReport;

  constructor(server: Server, options: WebSocketEndpointOptions) {
    this.options = withDefaults(DEFAULTS, options);
    for (const key of ['maxConnections', 'maxCallsInFlight', 'maxUnreadReplyBytes'] as const) {
      const value = this.options[key];
      if (!(value >= 1)) throw new RangeError(`${key} must be at least 1, got ${value}`);
    }
    this.origins = new AllowedOrigins(this.options.allowedOrigins);
    this.report = new WebSocketLimitReport(options.metrics, options.logger, this.options);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      handleProtocols: selectSubprotocol,
      // Per-message deflate costs CPU on every small log line for no gain.
      perMessageDeflate: false,
      // `open` below tracks connections; a second set in `ws` is redundant.
      clientTracking: false,
    });
    server.on('upgrade', (request, socket, head) => this.upgrade(request, socket, head));
  }

  /** Open connections. */
  get connections(): number {
    return this.open.size;
  }

  /** Closes every connection (1001, going away) and stops accepting. */
  async close(): Promise<void> {
    this.report.flush();
    for (const socket of this.open.keys()) socket.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    for (const socket of this.open.keys()) socket.terminate();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const remote = request.socket.remoteAddress;
    const { origin } = request.headers;
    if (!this.origins.allows(origin)) {
      this.report.originRefused(origin ?? '', remote);
      refuseUpgrade(
        socket,
        '403 Forbidden',
        'WebSocket connections from web pages are refused: this page origin is not in ALLOWED_ORIGINS',
      );
      return;
    }
    // request.url may hold the token: it is never logged, nor kept.
    if (!isAuthorizedRequest(request, this.options.authToken)) {
      this.report.unauthorized(remote);
      refuseUpgrade(
        socket,
        '401 Unauthorized',
        TOKEN_HINT,
        `WWW-Authenticate: ${BEARER_CHALLENGE}\r\n`,
      );
      return;
    }
    if (this.open.size >= this.options.maxConnections && this.idlest() === undefined) {
      this.report.full();
      refuseUpgrade(
        socket,
        '503 Service Unavailable',
        `too many WebSocket connections (MAX_CONNECTIONS=${this.options.maxConnections}), all busy: try again later`,
        'Retry-After: 1\r\n',
      );
      return;
    }
    // `ws` calls back synchronously here (no verifyClient), so the room
    // checked above is still there in `accept`.
    this.wss.handleUpgrade(request, socket, head, (ws) => void this.accept(ws, remote));
  }

  private async accept(ws: WebSocket, remote: string | undefined): Promise<void> {
    const { createMcpServer, logger, pingIntervalMs, metrics } = this.options;
    if (this.open.size >= this.options.maxConnections) this.evictIdlest();
    const transport = new WebSocketServerTransport(ws, {
      pingIntervalMs,
      maxCallsInFlight: this.options.maxCallsInFlight,
      unreadReplies: {
        maxBytes: this.options.maxUnreadReplyBytes,
        stallTimeoutMs: this.options.unreadStallTimeoutMs,
      },
    });
    this.open.set(ws, transport);
    metrics.websocketConnections.set(this.open.size);
    const mcp = createMcpServer({ remoteAddress: remote });
    mcp.onclose = () => this.forget(ws);
    mcp.onerror = (error) => this.transportError(error);
    try {
      await mcp.connect(transport);
    } catch (error) {
      this.forget(ws);
      logger.error({ err: String(error) }, 'websocket: could not start MCP session');
      ws.terminate();
    }
  }

  private forget(ws: WebSocket): void {
    if (this.open.delete(ws)) this.options.metrics.websocketConnections.set(this.open.size);
  }

  /**
   * The connection that sent nothing for the longest time among those with
   * no call in flight: closing it loses no reply, and its client reconnects
   * on its next call. Scans every connection, but only when at the cap.
   */
  private idlest(): WebSocket | undefined {
    let found: WebSocket | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [ws, transport] of this.open) {
      if (transport.callsInFlight === 0 && transport.lastMessageAt < oldest) {
        oldest = transport.lastMessageAt;
        found = ws;
      }
    }
    return found;
  }

  /**
   * Makes room for a new connection. Closing the idlest rather than refusing
   * the newcomer: clients often open one socket per log line, so refusing
   * would let leaked or hostile idle sockets lock every component out of
   * logging; an idle client loses nothing by reconnecting.
   */
  private evictIdlest(): void {
    const ws = this.idlest();
    const transport = ws && this.open.get(ws);
    if (ws === undefined || transport === undefined) return;
    this.forget(ws);
    this.report.evicted();
    transport.evict(1013, 'too many connections (MAX_CONNECTIONS): idlest closed');
  }

  /** Counts and logs what the transport refused; other transport errors are only logged. */
  private transportError(error: Error): void {
    const { metrics, logger } = this.options;
    if (error instanceof CallsInFlightLimitError) this.report.callRefused();
    else if (error instanceof UnreadRepliesLimitError) this.report.unreadReplies(error.closed);
    else if (
      error instanceof InvalidFrameError ||
      // ws closes with 1009 and reports this when a frame exceeds maxPayload.
      (error as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
    ) {
      const tooLarge = !(error instanceof InvalidFrameError);
      metrics.framesRefused.inc({ reason: tooLarge ? 'too_large' : 'invalid' });
      logger.warn({ err: error.message.slice(0, 300) }, 'websocket: frame refused');
    } else logger.debug({ err: error.message }, 'websocket: connection error');
  }
}

/** Answers an upgrade request with an HTTP error and closes the socket. */
function refuseUpgrade(socket: Duplex, status: string, body: string, headers = ''): void {
  const text = body === '' ? '' : `${body}\n`;
  socket.once('error', () => {});
  socket.end(
    `HTTP/1.1 ${status}\r\n${headers}Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}
