import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  InvalidFrameError,
  type Logger,
  selectSubprotocol,
  WebSocketServerTransport,
} from '@godot/shared';
import type { Server as McpProtocolServer } from '@modelcontextprotocol/sdk/server/index.js';
import { type WebSocket, WebSocketServer } from 'ws';
import { isAuthorized } from './auth.js';
import type { ServerMetrics } from './server-metrics.js';

/** Options of `WebSocketEndpoint`. */
export interface WebSocketEndpointOptions {
  /** Builds the MCP server (protocol instance) for one connection. */
  createMcpServer: () => McpProtocolServer;
  metrics: ServerMetrics;
  logger: Logger;
  /** Required bearer token; `undefined` accepts everyone. @default undefined */
  authToken?: string;
  /** Largest incoming frame; bigger ones close the connection with 1009. */
  maxFrameBytes: number;
  /** WebSocket ping interval for dead-peer detection. @default 30000 */
  pingIntervalMs?: number;
}

/**
 * MCP over WebSocket on any path of the HTTP server's port (clients use `/`).
 * Every accepted socket gets its own transport and its own MCP server.
 */
export class WebSocketEndpoint {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();

  constructor(
    server: Server,
    private readonly options: WebSocketEndpointOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      handleProtocols: selectSubprotocol,
      // Per-message deflate costs CPU on every small log line for no gain.
      perMessageDeflate: false,
      // `sockets` below tracks connections; a second set in `ws` is redundant.
      clientTracking: false,
    });
    server.on('upgrade', (request, socket, head) => this.upgrade(request, socket, head));
  }

  /** Open connections. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Closes every connection (1001, going away) and stops accepting. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    for (const socket of this.sockets) socket.terminate();
  }

  /** Counts and logs what the transport refused; other transport errors are only logged. */
  private refused(error: Error): void {
    const { metrics, logger } = this.options;
    // ws closes with 1009 and reports this when a frame exceeds maxPayload.
    const tooLarge = (error as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
    if (error instanceof InvalidFrameError || tooLarge) {
      metrics.framesRefused.inc({ reason: tooLarge ? 'too_large' : 'invalid' });
      logger.warn({ err: error.message.slice(0, 300) }, 'websocket: frame refused');
    } else logger.debug({ err: error.message }, 'websocket: connection error');
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!isAuthorized(request.headers, this.options.authToken)) {
      this.options.logger.warn(
        { remote: request.socket.remoteAddress },
        'websocket: refused, bad or missing token',
      );
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => void this.accept(ws));
  }

  private async accept(ws: WebSocket): Promise<void> {
    const { createMcpServer, logger, pingIntervalMs } = this.options;
    this.sockets.add(ws);
    const transport = new WebSocketServerTransport(ws, { pingIntervalMs });
    const mcp = createMcpServer();
    mcp.onclose = () => this.sockets.delete(ws);
    mcp.onerror = (error) => this.refused(error);
    try {
      await mcp.connect(transport);
    } catch (error) {
      this.sockets.delete(ws);
      logger.error({ err: String(error) }, 'websocket: could not start MCP session');
      ws.terminate();
    }
  }
}
