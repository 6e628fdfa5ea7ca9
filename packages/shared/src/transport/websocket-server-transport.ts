import { decodeText, errorReply, JsonRpcErrorCode, type JsonRpcErrorReply } from '@godot/wire';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { type RawData, WebSocket } from 'ws';
import { answeredId, CallsInFlight, callsInFlightMessage, cancelledId } from './calls-in-flight.js';
import { binaryFrameReply, parseFrame } from './parse-frame.js';
import {
  CallsInFlightLimitError,
  InvalidFrameError,
  PeerUnresponsiveError,
  TransportClosedError,
  type UnreadRepliesLimitError,
} from './transport-errors.js';
import { UnreadReplyGuard } from './unread-reply-guard.js';
import {
  DEFAULT_PING_INTERVAL_MS,
  EVICT_GRACE_MS,
  type WebSocketServerTransportOptions,
} from './websocket-server-transport-options.js';

/**
 * Server side of MCP over one accepted `ws` WebSocket: one JSON-RPC message
 * per text frame. Frames that are not a single valid message are answered
 * with a JSON-RPC error (`id: null` when unknown) and reported through
 * `onerror`; the connection stays open. Connect one `McpServer` per instance.
 * Limits (`maxCallsInFlight`, `unreadReplies`) are enforced here, where
 * requests come in and replies go out, and reported through `onerror` as
 * `CallsInFlightLimitError` and `UnreadRepliesLimitError`.
 */
export class WebSocketServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  readonly sessionId: string | undefined;

  private readonly pingIntervalMs: number;
  private readonly calls: CallsInFlight | undefined;
  private readonly unread: UnreadReplyGuard | undefined;
  private readonly now: () => number;
  private lastMessage: number;
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
    this.calls =
      options.maxCallsInFlight === undefined
        ? undefined
        : new CallsInFlight(options.maxCallsInFlight);
    this.unread =
      options.unreadReplies === undefined
        ? undefined
        : new UnreadReplyGuard(socket, options.unreadReplies, this.unreadLimit);
    this.now = options.now ?? Date.now;
    this.lastMessage = this.now();
  }

  /** Requests received and not yet answered (0 without `maxCallsInFlight`). */
  get callsInFlight(): number {
    return this.calls?.size ?? 0;
  }

  /** When the peer last sent a frame, or the transport was made (`now()` time). */
  get lastMessageAt(): number {
    return this.lastMessage;
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
      if (this.calls !== undefined) {
        const answered = answeredId(message);
        if (answered !== undefined) this.calls.end(answered);
      }
      this.write(JSON.stringify(message), (error) => {
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

  /**
   * Closes the connection to enforce a limit: the closing handshake with
   * `code` and `reason` (at most 123 bytes), the socket destroyed if the
   * handshake has not finished within `EVICT_GRACE_MS`, and `onclose` now.
   */
  evict(code: number, reason: string): void {
    if (this.finished) return;
    this.unread?.stop();
    if (this.socket.readyState === WebSocket.OPEN) {
      this.socket.close(code, reason);
      // Read again, so that a peer answering the close frame is heard.
      this.socket.resume();
      const socket = this.socket;
      setTimeout(() => socket.terminate(), EVICT_GRACE_MS).unref();
    }
    this.finish();
  }

  /** Sends one text frame, then lets the backpressure guard look at what is left unread. */
  private write(text: string, done?: (error?: Error) => void): void {
    this.socket.send(text, (error) => {
      this.unread?.flushed();
      done?.(error);
    });
    this.unread?.written();
  }

  private readonly unreadLimit = (error: UnreadRepliesLimitError): void => {
    if (this.finished) return;
    this.onerror?.(error);
    if (error.closed) this.evict(1008, 'replies not read: unread reply bytes over the limit');
  };

  private readonly handleMessage = (data: RawData, isBinary: boolean): void => {
    if (this.finished) return;
    if (isBinary) {
      this.refuse(binaryFrameReply(), new InvalidFrameError('Binary frame received', undefined));
      return;
    }
    this.lastMessage = this.now();
    const parsed = parseFrame(decodeText(data));
    if (parsed.kind !== 'message') this.refuse(parsed.reply, parsed.error);
    else if (this.calls === undefined || this.admit(parsed.message, this.calls)) {
      this.onmessage?.(parsed.message);
    }
  };

  /** Applies `maxCallsInFlight`; `false` when the message was dealt with here. */
  private admit(message: JSONRPCMessage, calls: CallsInFlight): boolean {
    if ('method' in message && 'id' in message) {
      if (calls.start(message.id)) return true;
      if (this.socket.readyState === WebSocket.OPEN) {
        const reply = errorReply(
          JsonRpcErrorCode.CallsInFlightLimit,
          callsInFlightMessage(calls.max),
          message.id,
        );
        this.write(JSON.stringify(reply), (error) => {
          if (error) this.onerror?.(error);
        });
      }
      this.onerror?.(new CallsInFlightLimitError(calls.max, message.id));
      return false;
    }
    const cancelled = cancelledId(message);
    return cancelled === undefined || !calls.has(cancelled);
  }

  /** Answers a bad frame (when it deserves an answer) and reports it; the connection stays open. */
  private refuse(reply: JsonRpcErrorReply | null, error: InvalidFrameError): void {
    if (reply !== null && this.socket.readyState === WebSocket.OPEN) {
      this.write(JSON.stringify(reply), (sendError) => {
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
    if (this.unread?.paused) {
      // A paused socket is not read, so a pong could not be heard; the
      // stall timeout judges this peer instead.
      this.awaitingPong = false;
      return;
    }
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
    this.unread?.stop();
    this.onclose?.();
  };
}
