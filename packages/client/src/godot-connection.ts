import { decodeText, type JsonRpcReply, parseReply } from '@godot/wire';
import WebSocket from 'ws';
import { INITIALIZE_ID, initializeFrame } from './log-call.js';

/** The longest a connect attempt may take: components never wait longer for Godot. */
export const MAX_CONNECT_TIMEOUT_MS = 1000;

/** What the connection needs to know; a subset of the logger's options. */
export interface GodotConnectionOptions {
  url: string;
  token: string | undefined;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  /**
   * Time from opening the socket to the `initialize` reply; an attempt not
   * done by then is given up. At most `MAX_CONNECT_TIMEOUT_MS`.
   */
  connectTimeoutMs: number;
}

/** What the connection tells its owner. */
export interface GodotConnectionHandlers {
  /** `initialize` was answered: calls may be sent. */
  ready(): void;
  /** A reply to a call (never the `initialize` one). */
  reply(message: JsonRpcReply): void;
  /** The socket is gone; calls sent on it will not be answered. */
  down(): void;
}

/**
 * One persistent WebSocket to Godot: connects, sends `initialize` once,
 * reconnects with exponential backoff and jitter (so a fleet restarted with
 * Godot does not come back in lockstep), until `close()`. Each attempt is
 * given up after `connectTimeoutMs` (≤ 1 s), even against a server that
 * accepts TCP and then says nothing.
 */
export class GodotConnection {
  #ws: WebSocket | undefined;
  #ready = false;
  #closed = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #connectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: GodotConnectionOptions,
    private readonly handlers: GodotConnectionHandlers,
  ) {
    const { connectTimeoutMs } = options;
    if (!(connectTimeoutMs >= 1 && connectTimeoutMs <= MAX_CONNECT_TIMEOUT_MS)) {
      throw new RangeError(
        `@godot/client: connectTimeoutMs must be 1 to ${MAX_CONNECT_TIMEOUT_MS}, got ${connectTimeoutMs}`,
      );
    }
  }

  /** True between the `initialize` reply and the socket's end. */
  get ready(): boolean {
    return this.#ready;
  }

  start(): void {
    this.#open();
  }

  /** Sends one frame; false when not ready (the caller keeps the entry). */
  send(text: string): boolean {
    const ws = this.#ws;
    if (!this.#ready || !ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(text);
    return true;
  }

  /** Drops a connection that stopped answering; it reconnects as after any loss. */
  drop(): void {
    this.#ws?.terminate();
  }

  /** Stops reconnecting and closes the socket (waits at most 1 s for the close handshake). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#connectTimer);
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
    });
  }

  #open(): void {
    if (this.#closed) return;
    const { url, token, connectTimeoutMs } = this.options;
    const ws = new WebSocket(url, {
      headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
      // `ws` counts this as socket inactivity; the timer below bounds the total.
      handshakeTimeout: connectTimeoutMs,
      perMessageDeflate: false,
    });
    this.#ws = ws;
    // Not ready in time: give the attempt up. `terminate` ends in 'close',
    // which schedules the next attempt like any other failure.
    this.#connectTimer = setTimeout(() => ws.terminate(), connectTimeoutMs);
    this.#connectTimer.unref();
    ws.on('open', () => ws.send(initializeFrame()));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const reply = parseReply(decodeText(data));
      if (!reply) return;
      if (reply.id === INITIALIZE_ID) {
        // Even an error reply is fine: Godot takes calls without initialize.
        clearTimeout(this.#connectTimer);
        this.#ready = true;
        this.#attempt = 0;
        this.handlers.ready();
      } else {
        this.handlers.reply(reply);
      }
    });
    // Every failure also ends in 'close', where it is handled once.
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.#ws !== ws) return;
      clearTimeout(this.#connectTimer);
      this.#ws = undefined;
      this.#ready = false;
      this.handlers.down();
      this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const { initialDelayMs, maxDelayMs } = this.options.reconnect;
    const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    // "Equal jitter": between half and all of the ceiling.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.#timer = setTimeout(() => this.#open(), delay);
    // A logger must not keep a process alive that has nothing else to do.
    this.#timer.unref();
  }
}
