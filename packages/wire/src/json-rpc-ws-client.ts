import { WebSocket } from 'ws';
import { decodeText, type JsonRpcReply, jsonRpcRequest, parseReply } from './json-rpc-frames.js';
import { type ClientInfo, initializeParams, toolCallParams } from './mcp-frames.js';

/** How one request ended. */
export type RequestOutcome =
  | { kind: 'reply'; reply: JsonRpcReply; ms: number }
  /** The socket closed before the reply: the server may or may not have acted. */
  | { kind: 'closed' }
  /** No reply within the request's timeout: a hang. */
  | { kind: 'timeout' };

/** Options of {@link JsonRpcWsClient.connect}. */
export interface JsonRpcWsClientOptions {
  /** TCP connect plus the opening handshake; the attempt is abandoned after it. @default 5000 */
  connectTimeoutMs?: number;
  /** A request unanswered for this long ends as `timeout`. @default 5000 */
  requestTimeoutMs?: number;
  /** Extra HTTP headers of the opening handshake, e.g. `Authorization`. @default {} */
  headers?: Record<string, string>;
}

interface Pending {
  sentAt: number;
  settle: (outcome: RequestOutcome) => void;
}

/** How often pending requests are checked against their timeout. */
const SWEEP_MS = 50;

/** Who `initialize` says we are, unless told otherwise. */
const DEFAULT_CLIENT_INFO: ClientInfo = { name: 'godot-wire', version: '0.1.0' };

/**
 * A pipelined JSON-RPC client over one raw WebSocket: many requests in
 * flight, replies matched by id, each request bounded by a timeout, and a
 * socket that closes settles everything pending as `closed`. Offers no
 * subprotocol, like today's Python clients. Never rejects once connected:
 * every request settles with an outcome. For tests, load and benchmarks;
 * services use the MCP SDK's `Client` or `@godot/client`.
 */
export class JsonRpcWsClient {
  readonly #socket: WebSocket;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  readonly #sweep: NodeJS.Timeout;
  #nextId = 1;
  #closed = false;
  /** Settles once the socket is closed, with the close code. */
  readonly closed: Promise<number>;

  private constructor(socket: WebSocket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.on('message', (data) => this.#receive(decodeText(data)));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.once('close', (code) => {
        this.#closed = true;
        clearInterval(this.#sweep);
        for (const pending of this.#pending.values()) pending.settle({ kind: 'closed' });
        this.#pending.clear();
        resolve(code);
      });
    });
    this.#sweep = setInterval(() => this.#expire(), SWEEP_MS);
  }

  /** Opens a connection; rejects if the handshake fails or does not finish in time. */
  static connect(url: string, options: JsonRpcWsClientOptions = {}): Promise<JsonRpcWsClient> {
    const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    const socket = new WebSocket(url, [], {
      headers: options.headers ?? {},
      // `ws` measures this as socket inactivity; the timer below bounds the total.
      handshakeTimeout: connectTimeoutMs,
      perMessageDeflate: false,
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`WebSocket handshake did not finish within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new JsonRpcWsClient(socket, options.requestTimeoutMs ?? 5000));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Requests sent and not settled yet. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** False once the socket closed. */
  get open(): boolean {
    return !this.#closed;
  }

  /** Sends a request with a fresh id; settles with the reply, `closed` or `timeout`. */
  request(method: string, params?: object): Promise<RequestOutcome> {
    if (this.#closed) return Promise.resolve({ kind: 'closed' });
    const id = this.#nextId++;
    const frame = JSON.stringify(jsonRpcRequest(id, method, params));
    return new Promise((settle) => {
      this.#pending.set(id, { sentAt: performance.now(), settle });
      this.#socket.send(frame);
    });
  }

  /** `tools/call`. */
  callTool(name: string, args: unknown): Promise<RequestOutcome> {
    return this.request('tools/call', toolCallParams(name, args));
  }

  /** `initialize`, as an MCP client would send it. */
  initialize(clientInfo: ClientInfo = DEFAULT_CLIENT_INFO): Promise<RequestOutcome> {
    return this.request('initialize', initializeParams(clientInfo));
  }

  /** Closes normally; resolves with the close code. */
  close(): Promise<number> {
    if (!this.#closed) this.#socket.close(1000);
    return this.closed;
  }

  /** Drops the TCP connection without a closing handshake. */
  terminate(): Promise<number> {
    if (!this.#closed) this.#socket.terminate();
    return this.closed;
  }

  #receive(text: string): void {
    const reply = parseReply(text);
    if (typeof reply?.id !== 'number') return;
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    pending.settle({ kind: 'reply', reply, ms: performance.now() - pending.sentAt });
  }

  #expire(): void {
    const limit = performance.now() - this.#timeoutMs;
    // Map iteration is in insertion order: the oldest requests come first.
    for (const [id, pending] of this.#pending) {
      if (pending.sentAt > limit) break;
      this.#pending.delete(id);
      pending.settle({ kind: 'timeout' });
    }
  }
}
