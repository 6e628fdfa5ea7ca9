import { decodeText } from '@godot/wire';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { type ClientOptions, type RawData, WebSocket } from 'ws';
import { parseFrame } from './parse-frame.js';
import {
  ConnectFailedError,
  ConnectTimeoutError,
  InvalidFrameError,
  TransportClosedError,
} from './transport-errors.js';

/** Opens the socket; tests inject one to observe or fake the connection. */
export type CreateWebSocket = (url: URL, protocols: string[], options: ClientOptions) => WebSocket;

/** Options of `WebSocketClientTransport`. */
export interface WebSocketClientTransportOptions {
  /**
   * Subprotocols to offer. None by default: Dewey never answers one, and a
   * `ws` client that offered `mcp` then fails with "Server sent no
   * subprotocol" (docs/dewey-contract.md, "Transport").
   * @default []
   */
  protocols?: string[];
  /**
   * Extra HTTP headers for the opening handshake, e.g. `Authorization`.
   * @default {}
   */
  headers?: Record<string, string>;
  /**
   * Milliseconds allowed for TCP connect plus the opening handshake.
   * @default 10_000
   */
  connectTimeoutMs?: number;
  /**
   * Largest frame accepted from the server; a bigger one closes the
   * connection with 1009. Dewey accepts 200 MB and may send large query
   * results, so this stays above `ws`'s own 100 MiB default.
   * @default 268_435_456 (256 MiB)
   */
  maxIncomingFrameBytes?: number;
  /**
   * Opens the socket.
   * @default (url, protocols, options) => new WebSocket(url, protocols, options)
   */
  createSocket?: CreateWebSocket;
}

/** Default of `maxIncomingFrameBytes`. */
export const DEFAULT_MAX_INCOMING_FRAME_BYTES = 256 * 1024 * 1024;

const createWebSocket: CreateWebSocket = (url, protocols, options) =>
  new WebSocket(url, protocols, options);

/**
 * Client side of MCP over a `ws` WebSocket, one JSON-RPC message per text
 * frame. Unlike the SDK's own `WebSocketClientTransport` it runs on Node 20
 * (no global `WebSocket`), offers no subprotocol unless asked, and survives
 * frames the SDK cannot accept — Dewey's `id: null` error replies to
 * notifications — by reporting them through `onerror`.
 */
export class WebSocketClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  private readonly url: URL;
  private readonly options: Required<WebSocketClientTransportOptions>;
  private socket: WebSocket | undefined;
  private finished = false;

  constructor(url: string | URL, options: WebSocketClientTransportOptions = {}) {
    this.url = new URL(url);
    // `??` rather than a spread, so an explicit `undefined` also means "default".
    this.options = {
      protocols: options.protocols ?? [],
      headers: options.headers ?? {},
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      maxIncomingFrameBytes: options.maxIncomingFrameBytes ?? DEFAULT_MAX_INCOMING_FRAME_BYTES,
      createSocket: options.createSocket ?? createWebSocket,
    };
    const { connectTimeoutMs, maxIncomingFrameBytes } = this.options;
    if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) {
      throw new RangeError(`connectTimeoutMs must be a positive number, got ${connectTimeoutMs}`);
    }
    if (!Number.isSafeInteger(maxIncomingFrameBytes) || maxIncomingFrameBytes <= 0) {
      throw new RangeError(
        `maxIncomingFrameBytes must be a positive integer, got ${maxIncomingFrameBytes}`,
      );
    }
  }

  /** The subprotocol the server selected; `''` when none (or not connected yet). */
  get protocol(): string {
    return this.socket?.protocol ?? '';
  }

  /**
   * Opens the connection; resolves once it is open. Rejects with
   * `ConnectTimeoutError` or `ConnectFailedError`, after tearing the socket
   * down and firing `onclose`. Called by `Client.connect`.
   */
  async start(): Promise<void> {
    if (this.socket) {
      throw new Error(
        'WebSocketClientTransport already started! If using Client class, note that connect() calls start() automatically.',
      );
    }
    if (this.finished) {
      throw new TransportClosedError('WebSocket transport was closed before start');
    }
    const { protocols, headers, connectTimeoutMs, maxIncomingFrameBytes, createSocket } =
      this.options;
    let socket: WebSocket;
    try {
      socket = createSocket(this.url, protocols, { headers, maxPayload: maxIncomingFrameBytes });
    } catch (error) {
      // `ws` throws synchronously on a URL it cannot use (e.g. not ws:/wss:).
      this.finish();
      throw new ConnectFailedError(this.url, error);
    }
    this.socket = socket;

    await new Promise<void>((resolve, reject) => {
      let opening = true;
      const fail = (error: Error): void => {
        if (!opening) return;
        opening = false;
        clearTimeout(timer);
        socket.terminate();
        reject(error);
        this.finish();
      };
      const timer = setTimeout(
        () => fail(new ConnectTimeoutError(this.url, connectTimeoutMs)),
        connectTimeoutMs,
      );
      socket.once('open', () => {
        if (!opening) return;
        opening = false;
        clearTimeout(timer);
        resolve();
      });
      socket.on('error', (error) => {
        if (opening) fail(new ConnectFailedError(this.url, error));
        else if (!this.finished) this.onerror?.(error);
      });
      socket.on('close', () => {
        if (opening) fail(new ConnectFailedError(this.url, new Error('connection closed')));
        else this.finish();
      });
      socket.on('message', this.handleMessage);
    });
  }

  /** Sends one message as one text frame; resolves once `ws` has written it. */
  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = this.socket;
      if (this.finished || socket?.readyState !== WebSocket.OPEN) {
        reject(new TransportClosedError());
        return;
      }
      socket.send(JSON.stringify(message), (error) => {
        if (!error) resolve();
        else reject(new TransportClosedError('WebSocket closed while sending', { cause: error }));
      });
    });
  }

  /**
   * Closes the connection (aborting a handshake in progress) and fires
   * `onclose` now, once however often this is called. `ws` completes the
   * closing handshake in the background.
   */
  async close(): Promise<void> {
    if (this.finished) return;
    const socket = this.socket;
    if (socket?.readyState === WebSocket.OPEN) socket.close(1000);
    // A pending `start` then rejects with ConnectFailedError, after onclose.
    else socket?.terminate();
    this.finish();
  }

  private readonly handleMessage = (data: RawData, isBinary: boolean): void => {
    if (this.finished) return;
    if (isBinary) {
      this.onerror?.(new InvalidFrameError('Binary frame received', undefined));
      return;
    }
    const parsed = parseFrame(decodeText(data));
    // A client never answers a bad frame: Dewey would answer our answer.
    if (parsed.kind === 'message') this.onmessage?.(parsed.message);
    else this.onerror?.(parsed.error);
  };

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.onclose?.();
  }
}
