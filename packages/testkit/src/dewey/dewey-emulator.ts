import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import { DEWEY_CONTROL_METHOD, runDeweyControl } from './dewey-control.js';
import {
  type DeweyEmulatorOptions,
  type ResolvedDeweyEmulatorOptions,
  resolveDeweyEmulatorOptions,
} from './dewey-emulator-options.js';
import { DeweyFaults } from './dewey-faults.js';
import { DeweyErrorCode, internalError } from './dewey-rpc-error.js';
import { DEWEY_TOOL_LIST } from './dewey-tool-list.js';
import { callDeweyTool, type DeweyToolContext } from './dewey-tools.js';
import {
  DEWEY_INITIALIZE_RESULT,
  errorFrame,
  frameForError,
  type JsonRpcId,
  parseRequestFrame,
  resultFrame,
  toolResultFrame,
} from './json-rpc-frames.js';
import { DeweyStore, type StoredLog } from './store/dewey-store.js';
import { msToMicros } from './store/iso-time.js';
import { pythonStr, pythonTypeName } from './store/python-text.js';
import { rawDataToText } from './store/raw-data-text.js';

/** One reply to send, or nothing when a held request was abandoned by `stop()`. */
interface Reply {
  frame: object;
  /** Control replies skip the reply delay. */
  immediate?: boolean;
  afterSend?: () => void;
}

/**
 * A stand-in for Dewey: a plain `ws` server speaking Dewey's wire contract
 * (no subprotocol, `id: null` error replies to notifications, text-JSON tool
 * results, Python-shaped error messages) over an in-memory store, plus fault
 * controls for tests. Requests on one connection are answered one at a time,
 * in order, as Dewey's `async for message in websocket` loop does.
 */
export class DeweyEmulator extends DeweyFaults {
  readonly #options: ResolvedDeweyEmulatorOptions;
  readonly #store = new DeweyStore();
  readonly #tools: DeweyToolContext;
  #port: number;
  #server: Server | undefined;
  #wss: WebSocketServer | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  // Bumped by stop(): work queued on older connections is dropped unanswered.
  #generation = 0;
  #closed = false;

  /** Creates and starts an emulator. */
  static async start(options: DeweyEmulatorOptions = {}): Promise<DeweyEmulator> {
    const emulator = new DeweyEmulator(options);
    await emulator.start();
    return emulator;
  }

  constructor(options: DeweyEmulatorOptions = {}) {
    super();
    this.#options = resolveDeweyEmulatorOptions(options);
    this.#port = this.#options.port;
    this.setReplyDelay(this.#options.replyDelayMs);
    const clock = this.#options.clock;
    this.#tools = {
      store: this.#store,
      nowMicros: () => msToMicros(clock()),
      realDeweyBugs: this.#options.realDeweyBugs,
      retentionDays: this.#options.retentionDays,
      onInsert: (rows) => this.notifyStored(rows),
    };
  }

  /** The port listened on (the chosen one once started with port 0). */
  get port(): number {
    return this.#port;
  }

  /** `ws://<host>:<port>`, what a Dewey client is configured with. */
  get url(): string {
    const host = ['0.0.0.0', '::', ''].includes(this.#options.host)
      ? '127.0.0.1'
      : this.#options.host;
    return `ws://${host.includes(':') ? `[${host}]` : host}:${this.#port}`;
  }

  /** True between `start()` and `stop()`. */
  get listening(): boolean {
    return this.#server !== undefined;
  }

  /** Connected clients right now. */
  get connectionCount(): number {
    return this.#wss?.clients.size ?? 0;
  }

  /** Starts listening, on the same port as before after a `stop()`. The store is kept. */
  async start(): Promise<void> {
    if (this.#closed) throw new Error('DeweyEmulator is closed');
    if (this.#server) return;
    // Plain HTTP requests get 426, like a websockets server.
    const server = createServer((_req, res) => res.writeHead(426).end('Upgrade Required\n'));
    const wss = new WebSocketServer({
      server,
      maxPayload: this.#options.maxPayload,
      // Dewey never selects a subprotocol, so a client offering `mcp` gets none.
      handleProtocols: () => false,
    });
    wss.on('connection', (ws) => this.#accept(ws));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
    this.#wss = wss;
    this.#pingTimer = setInterval(() => {
      for (const client of wss.clients) client.ping();
    }, this.#options.pingIntervalMs);
    this.#pingTimer.unref();
  }

  /**
   * Simulates Dewey dying: connections are cut (clients see 1006), requests
   * held by `hold()` are abandoned unanswered, the port is released. The store,
   * counters and fault settings survive for the next `start()`.
   */
  async stop(): Promise<void> {
    const server = this.#server;
    const wss = this.#wss;
    if (!server || !wss) return;
    this.#generation++;
    this.#server = undefined;
    this.#wss = undefined;
    clearInterval(this.#pingTimer);
    this.abandonHeld();
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Stops for good. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.stop();
  }

  /** Cuts every client connection abruptly (close code 1006 on their side); keeps listening. */
  dropConnections(): number {
    const clients = [...(this.#wss?.clients ?? [])];
    for (const client of clients) client.terminate();
    return clients.length;
  }

  /** Copies of the stored rows, `data` as sent. */
  stored(): StoredLog[] {
    return this.#store.snapshot();
  }

  /** Number of stored rows. */
  get storedCount(): number {
    return this.#store.size;
  }

  /** Empties the store; returns how many rows went. */
  clear(): number {
    return this.#store.clear();
  }

  #accept(ws: WebSocket): void {
    const generation = this.#generation;
    let queue = Promise.resolve();
    ws.on('message', (data) => {
      const text = rawDataToText(data);
      queue = queue.then(() => this.#answer(ws, text, generation));
    });
    // Oversized frames and resets end the connection; nothing to report.
    ws.on('error', () => {});
  }

  async #answer(ws: WebSocket, text: string, generation: number): Promise<void> {
    if (generation !== this.#generation) return;
    let reply: Reply | undefined;
    try {
      reply = await this.#respond(text);
    } catch (error) {
      reply = { frame: frameForError(error, null) };
    }
    if (!reply) return;
    const delay = this.replyDelayMs;
    if (!reply.immediate && delay > 0) await sleep(delay);
    if (generation !== this.#generation || ws.readyState !== WebSocket.OPEN) return;
    const afterSend = reply.afterSend;
    ws.send(JSON.stringify(reply.frame), () => afterSend?.());
  }

  async #respond(text: string): Promise<Reply | undefined> {
    this.countRequest();
    const parsed = parseRequestFrame(text);
    if ('reply' in parsed) return { frame: parsed.reply };
    const { id, method, message } = parsed;
    try {
      switch (method) {
        case 'initialize':
          return { frame: resultFrame(DEWEY_INITIALIZE_RESULT, id) };
        case 'tools/list':
          return { frame: resultFrame({ tools: DEWEY_TOOL_LIST }, id) };
        case 'tools/call':
          return await this.#toolCall('params' in message ? message.params : {}, id);
        case DEWEY_CONTROL_METHOD: {
          const { result, afterSend } = runDeweyControl(this, message.params);
          return { frame: resultFrame(result, id), immediate: true, afterSend };
        }
        default:
          return {
            frame: errorFrame(
              DeweyErrorCode.MethodNotFound,
              `Method not found: ${pythonStr(method)}`,
              id,
            ),
          };
      }
    } catch (error) {
      return { frame: frameForError(error, id) };
    }
  }

  async #toolCall(params: unknown, id: JsonRpcId): Promise<Reply | undefined> {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw internalError(`'${pythonTypeName(params)}' object has no attribute 'get'`);
    }
    const { name } = params as Record<string, unknown>;
    const args = 'arguments' in params ? params.arguments : {};
    this.countToolCall(name, args);
    const rejection = this.takeRejection();
    if (rejection) throw rejection;
    const run = (): Reply => {
      try {
        return { frame: toolResultFrame(callDeweyTool(name, args, this.#tools), id) };
      } catch (error) {
        return { frame: frameForError(error, id) };
      }
    };
    const hold = name === 'dewey_store_logs_batch' ? this.currentHold() : undefined;
    if (!hold) return run();
    // storeFirst: the batch is committed but the acknowledgement never leaves.
    const early = hold.storeFirst ? run() : undefined;
    const released = await this.waitForRelease();
    if (!released) return undefined;
    return early ?? run();
  }
}
