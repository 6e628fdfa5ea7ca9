import {
  decodeText,
  isJsonRpcReply,
  type JsonRpcReply,
  jsonRpcRequest,
  readToolResult,
  toolCallParams,
} from '@godot/wire';
import { WebSocket } from 'ws';

export type { JsonRpcReply } from '@godot/wire';

/** Options of {@link RawWsClient.connect}. */
export interface RawWsClientOptions {
  /** Subprotocols to offer; Dewey (and the emulator) select none. @default [] */
  protocols?: string[];
  /** Timeout of the handshake and of each awaited frame. @default 5000 */
  timeoutMs?: number;
}

/** How the connection ended. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * A bare `ws` client for tests: sends any frame (valid or not) and reads
 * replies one by one, so tests see exactly what a server put on the wire.
 * Replies are awaited in arrival order, which for Dewey is request order.
 */
export class RawWsClient {
  readonly #socket: WebSocket;
  readonly #timeoutMs: number;
  readonly #inbox: string[] = [];
  readonly #waiters: Array<{ resolve: (text: string) => void; reject: (e: Error) => void }> = [];
  #closeInfo: CloseInfo | undefined;
  #nextId = 1;
  /** Settles when the connection ends, with the close code the client saw (1006 if cut). */
  readonly closed: Promise<CloseInfo>;

  private constructor(socket: WebSocket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.on('message', (data) => {
      const text = decodeText(data);
      const waiter = this.#waiters.shift();
      if (waiter) waiter.resolve(text);
      else this.#inbox.push(text);
    });
    // Errors are followed by 'close', which is what callers observe.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.#closeInfo = { code, reason: reason.toString() };
        for (const waiter of this.#waiters.splice(0)) {
          waiter.reject(new Error(`connection closed (${code}) while waiting for a frame`));
        }
        resolve(this.#closeInfo);
      });
    });
  }

  /** Opens a connection; rejects on handshake failure (e.g. "Server sent no subprotocol"). */
  static connect(url: string, options: RawWsClientOptions = {}): Promise<RawWsClient> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const socket = new WebSocket(url, options.protocols ?? [], { handshakeTimeout: timeoutMs });
    const client = new RawWsClient(socket, timeoutMs);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  /** The underlying socket, e.g. to read `protocol` or send pings. */
  get socket(): WebSocket {
    return this.#socket;
  }

  /** Sends a frame: strings and buffers as they are, anything else JSON-encoded. */
  send(frame: unknown, options: { binary?: boolean } = {}): void {
    const data =
      typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame);
    this.#socket.send(data, { binary: options.binary ?? Buffer.isBuffer(data) });
  }

  /** The next received frame's text. */
  nextText(timeoutMs = this.#timeoutMs): Promise<string> {
    const queued = this.#inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closeInfo) return Promise.reject(new Error('connection is closed'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (text: string) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** The next received frame, JSON-decoded; throws when it is not a readable JSON-RPC reply. */
  async next(timeoutMs?: number): Promise<JsonRpcReply> {
    const text = await this.nextText(timeoutMs);
    const value: unknown = JSON.parse(text);
    if (!isJsonRpcReply(value)) throw new Error(`not a JSON-RPC reply: ${text.slice(0, 200)}`);
    return value;
  }

  /** Sends a request with a fresh numeric id and returns the next frame. */
  request(method: string, params?: object): Promise<JsonRpcReply> {
    this.send(jsonRpcRequest(this.#nextId++, method, params));
    return this.next();
  }

  /** `tools/call` and the reply frame. */
  callTool(name: string, args: unknown = {}): Promise<JsonRpcReply> {
    return this.request('tools/call', toolCallParams(name, args));
  }

  /** `tools/call` and its decoded text payload; throws an Error carrying `code` on a JSON-RPC error. */
  async callToolPayload<T = unknown>(name: string, args: unknown = {}): Promise<T> {
    return toolPayload<T>(await this.callTool(name, args));
  }

  /** Closes normally and waits for the close to complete. */
  async close(): Promise<CloseInfo> {
    if (!this.#closeInfo) this.#socket.close();
    return this.closed;
  }
}

/** Decodes the JSON text of a tool result; a JSON-RPC error becomes a thrown Error with `code`. */
export function toolPayload<T = unknown>(reply: JsonRpcReply): T {
  if (reply.error) {
    throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  }
  const { text } = readToolResult(reply.result);
  if (text === undefined) throw new Error(`not a tool result: ${JSON.stringify(reply)}`);
  return JSON.parse(text) as T;
}
