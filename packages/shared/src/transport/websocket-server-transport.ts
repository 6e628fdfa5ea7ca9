import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { type RawData, WebSocket } from 'ws';
import {
  binaryFrameReply,
  decodeText,
  type JsonRpcErrorReply,
  parseFrame,
} from './json-rpc-frames.js';
import {
  InvalidFrameError,
  PeerUnresponsiveError,
  TransportClosedError,
} from './transport-errors.js';

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
}

/**
 * Server side of MCP over one accepted `ws` WebSocket: one JSON-RPC message
 * per text frame. Frames that are not a single valid message are answered
 * with a JSON-RPC error (`id: null` when unknown) and reported through
 * `onerror`; the connection stays open. Connect one `McpServer` per instance.
 */
export class WebSocketServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  readonly sessionId: string | undefined;

  private readonly pingIntervalMs: number;
  private started = false;
  private finished = false;
  private awaitingPong = false;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    options: WebSocketServerTransportOptions = {},
  ) {
    const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    if (!Number.isFinite(pingIntervalMs) || pingIntervalMs <= 0) {
      throw new RangeError(`pingIntervalMs must be a positive number, got ${pingIntervalMs}`);
    }
    this.pingIntervalMs = pingIntervalMs;
    this.sessionId = options.sessionId;
  }

  /** Starts reading frames and pinging. Called by `McpServer.connect`. */
  async start(): Promise<void> {
    if (this.started) {
      throw new Error(
        'WebSocketServerTransport already started! If using Server class, note that connect() calls start() automatically.',
      );
    }
    this.started = true;
    // Listeners stay attached for the socket's life: `ws` may still emit
    // 'error' after we are done, and an EventEmitter without an 'error'
    // listener would throw it.
    this.socket.on('message', this.handleMessage);
    this.socket.on('pong', this.handlePong);
    this.socket.on('error', this.handleError);
    this.socket.on('close', this.finish);
    if (this.socket.readyState === WebSocket.CLOSED) {
      // The peer left between the upgrade and `start`: 'close' already fired.
      this.finish();
      return;
    }
    this.pingTimer = setInterval(this.heartbeat, this.pingIntervalMs);
    // The socket keeps the process alive while it is open; the timer need not.
    this.pingTimer.unref();
  }

  /** Sends one message as one text frame; resolves once `ws` has written it. */
  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.finished || this.socket.readyState !== WebSocket.OPEN) {
        reject(new TransportClosedError());
        return;
      }
      this.socket.send(JSON.stringify(message), (error) => {
        if (!error) resolve();
        else reject(new TransportClosedError('WebSocket closed while sending', { cause: error }));
      });
    });
  }

  /**
   * Starts the closing handshake and fires `onclose` now (once, however
   * often this is called). `ws` completes the handshake in the background
   * and destroys the socket if the peer never answers it.
   */
  async close(): Promise<void> {
    if (this.finished) return;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    this.finish();
  }

  private readonly handleMessage = (data: RawData, isBinary: boolean): void => {
    if (this.finished) return;
    if (isBinary) {
      this.refuse(binaryFrameReply(), new InvalidFrameError('Binary frame received', undefined));
      return;
    }
    const parsed = parseFrame(decodeText(data));
    if (parsed.kind === 'message') this.onmessage?.(parsed.message);
    else this.refuse(parsed.reply, parsed.error);
  };

  /** Answers a bad frame (when it deserves an answer) and reports it; the connection stays open. */
  private refuse(reply: JsonRpcErrorReply | null, error: InvalidFrameError): void {
    if (reply !== null && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(reply), (sendError) => {
        if (sendError) this.onerror?.(sendError);
      });
    }
    this.onerror?.(error);
  }

  private readonly handlePong = (): void => {
    this.awaitingPong = false;
  };

  private readonly handleError = (error: Error): void => {
    // e.g. a frame over maxPayload; `ws` closes the socket right after.
    if (!this.finished) this.onerror?.(error);
  };

  private readonly heartbeat = (): void => {
    if (this.awaitingPong) {
      this.onerror?.(new PeerUnresponsiveError(this.pingIntervalMs));
      this.socket.terminate();
      this.finish();
      return;
    }
    this.awaitingPong = true;
    this.socket.ping();
  };

  private readonly finish = (): void => {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.pingTimer);
    this.onclose?.();
  };
}
