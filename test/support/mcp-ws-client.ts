import { WebSocket } from 'ws';

/** A JSON-RPC reply frame as received, unchecked. */
export interface RpcReply {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/** How one request ended. */
export type RequestOutcome =
  | { kind: 'reply'; reply: RpcReply; ms: number }
  /** The socket closed before the reply: the server may or may not have acted. */
  | { kind: 'closed' }
  /** No reply within the request's timeout: a hang. */
  | { kind: 'timeout' };

/** Options of {@link McpWsClient.connect}. */
export interface McpWsClientOptions {
  /** Handshake timeout. @default 5000 */
  connectTimeoutMs?: number;
  /** A request unanswered for this long ends as `timeout`. @default 5000 */
  requestTimeoutMs?: number;
}

interface Pending {
  sentAt: number;
  settle: (outcome: RequestOutcome) => void;
}

/** How often pending requests are checked against their timeout. */
const SWEEP_MS = 50;

/**
 * A pipelined JSON-RPC client over one raw WebSocket: many requests in flight,
 * replies matched by id, each request bounded by a timeout, and a socket that
 * closes settles everything pending as `closed`. No subprotocol, like today's
 * Python clients. Never rejects: every request settles with an outcome.
 */
export class McpWsClient {
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
    socket.on('message', (data) => this.#receive(String(data)));
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

  /** Opens a connection; rejects if the handshake fails. */
  static connect(url: string, options: McpWsClientOptions = {}): Promise<McpWsClient> {
    const socket = new WebSocket(url, [], {
      handshakeTimeout: options.connectTimeoutMs ?? 5000,
      perMessageDeflate: false,
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new McpWsClient(socket, options.requestTimeoutMs ?? 5000)));
      socket.once('error', reject);
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
  request(method: string, params?: unknown): Promise<RequestOutcome> {
    if (this.#closed) return Promise.resolve({ kind: 'closed' });
    const id = this.#nextId++;
    const frame = JSON.stringify(
      params === undefined
        ? { jsonrpc: '2.0', id, method }
        : { jsonrpc: '2.0', id, method, params },
    );
    return new Promise((settle) => {
      this.#pending.set(id, { sentAt: performance.now(), settle });
      this.#socket.send(frame);
    });
  }

  /** `tools/call`. */
  callTool(name: string, args: unknown): Promise<RequestOutcome> {
    return this.request('tools/call', { name, arguments: args });
  }

  /** `initialize`, as an MCP client would send it. */
  initialize(): Promise<RequestOutcome> {
    return this.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'godot-load', version: '1.0.0' },
    });
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
    let reply: RpcReply;
    try {
      reply = JSON.parse(text) as RpcReply;
    } catch {
      return;
    }
    if (typeof reply.id !== 'number') return;
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

/** What a `logger_log` reply said. */
export type LogCallResult =
  | { kind: 'acknowledged'; id: string }
  | { kind: 'filtered'; reason: string }
  | { kind: 'refused'; reason: string };

/** Reads a `logger_log` reply: a queued ack, a filtered entry, or a refusal (tool or JSON-RPC error). */
export function readLogReply(reply: RpcReply): LogCallResult {
  if (reply.error)
    return { kind: 'refused', reason: `rpc ${reply.error.code}: ${reply.error.message}` };
  const result = reply.result as { isError?: boolean; content?: { text?: string }[] } | undefined;
  const text = result?.content?.[0]?.text ?? '';
  if (result?.isError) return { kind: 'refused', reason: text };
  try {
    const payload = JSON.parse(text) as { queued?: boolean; id?: unknown; reason?: string };
    if (payload.queued === true) return { kind: 'acknowledged', id: String(payload.id) };
    return { kind: 'filtered', reason: String(payload.reason) };
  } catch {
    return { kind: 'refused', reason: `unreadable reply: ${text.slice(0, 200)}` };
  }
}
