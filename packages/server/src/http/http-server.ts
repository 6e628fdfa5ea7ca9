import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Logger, withDefaults } from '@godot/shared';
import type { ServerMetrics } from '../ops/server-metrics.js';
import { ThrottledWarning } from '../ops/throttled-warning.js';

/**
 * Connections allowed beyond MAX_CONNECTIONS (which the WebSocket endpoint
 * enforces on upgraded sockets). With every WebSocket slot taken, /health,
 * /metrics and /mcp must still connect, and the next upgrade must still reach
 * the endpoint to get its clear refusal rather than a silent TCP reset. HTTP
 * connections are short-lived (keep-alive 5 s, headers 10 s), so a fixed
 * margin is enough; `ulimit -n` must leave room for it and for Redis and Dewey.
 */
export const HTTP_CONNECTION_HEADROOM = 100;

/** Options of `createHttpServer`. */
export interface HttpServerOptions {
  metrics: ServerMetrics;
  logger: Logger;
  /**
   * Time a connection has to send complete request headers (HEADERS_TIMEOUT_MS).
   * Node counts it from the accept, so it is also the first-byte timeout: a
   * socket that sends nothing is closed after it. @default 10000
   */
  headersTimeoutMs?: number;
  /**
   * Time to receive a whole request, body included; not the response, so a
   * long SSE stream or tool call is not cut. The largest /mcp body (~2 MiB)
   * takes 17 s at 1 Mbit/s. @default max(30000, headersTimeoutMs)
   */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection between two requests is closed after this. @default 5000 */
  keepAliveTimeoutMs?: number;
  /**
   * Most open TCP connections, upgraded WebSockets included; beyond it Node
   * closes new ones at once. @default 1000 + HTTP_CONNECTION_HEADROOM
   */
  maxConnections?: number;
  /**
   * How often Node looks for connections past their headers or request
   * timeout (Node's default, 30 s, would let an idle socket live 40 s).
   * @default min(1000, headersTimeoutMs / 4)
   */
  checkIntervalMs?: number;
}

const DEFAULTS = {
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1000 + HTTP_CONNECTION_HEADROOM,
};

/**
 * The node:http server of port 9060, with every way of holding a TCP
 * connection without using it bounded (docs/product.md#resource-limits):
 * unbounded, 320 idle sockets used up the file descriptors and /health
 * failed. Upgraded WebSockets leave Node's timeouts when `ws` takes the
 * socket; the endpoint pings them instead.
 */
export function createHttpServer(handler: RequestListener, options: HttpServerOptions): Server {
  const merged = withDefaults(DEFAULTS, options);
  const { headersTimeoutMs, keepAliveTimeoutMs, maxConnections, metrics, logger } = merged;
  const requestTimeoutMs = merged.requestTimeoutMs ?? Math.max(30_000, headersTimeoutMs);
  const checkIntervalMs =
    merged.checkIntervalMs ?? Math.max(10, Math.min(1000, Math.floor(headersTimeoutMs / 4)));
  if (!(headersTimeoutMs > 0 && requestTimeoutMs >= headersTimeoutMs && maxConnections >= 1))
    throw new RangeError(
      'createHttpServer: headersTimeoutMs > 0, requestTimeoutMs >= it, maxConnections >= 1',
    );

  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: checkIntervalMs,
    },
    handler,
  );
  server.maxConnections = maxConnections;

  const full = new ThrottledWarning(
    logger,
    'http: maxConnections reached, new connections closed',
    {
      max_connections: maxConnections,
    },
  );
  server.on('drop', () => {
    metrics.httpConnectionsClosed.inc({ reason: 'full' });
    full.add();
  });
  server.on('close', () => full.flush());
  // Replaces Node's default answer to a bad or slow client, to count it: the
  // same responses, written only if nothing was written on the connection yet.
  // The timeout error is Node's headers or request timeout.
  server.on('clientError', (error: NodeJS.ErrnoException, duplex: Duplex) => {
    const socket = duplex as Socket;
    const reason = closeReason(error.code, socket.bytesRead);
    if (reason !== undefined) metrics.httpConnectionsClosed.inc({ reason });
    if (reason !== undefined && reason !== 'idle' && socket.writable && socket.bytesWritten === 0)
      socket.write(reason === 'timeout' ? REQUEST_TIMEOUT : badRequest(error.code));
    socket.destroy();
  });
  return server;
}

type CloseReason = 'idle' | 'timeout' | 'invalid';

function closeReason(code: string | undefined, bytesRead: number): CloseReason | undefined {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return bytesRead === 0 ? 'idle' : 'timeout';
  // llhttp's parse errors; anything else (ECONNRESET…) is the peer going away.
  if (code?.startsWith('HPE_')) return 'invalid';
  return undefined;
}

const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

function badRequest(code: string | undefined): string {
  return code === 'HPE_HEADER_OVERFLOW'
    ? 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n'
    : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
}
