import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeText } from '@godot/wire';
import { WebSocket, WebSocketServer } from 'ws';
import { runDeweyControl } from './dewey-control.js';
import {
  type DeweyEmulatorOptions,
  type ResolvedDeweyEmulatorOptions,
  resolveDeweyEmulatorOptions,
} from './dewey-emulator-options.js';
import {
  type DeweyCallCounts,
  DeweyFaults,
  type HoldOptions,
  type RejectionOptions,
} from './dewey-faults.js';
import { frameForError } from './dewey-frames.js';
import { answerDeweyRequest, type DeweyReply, type DeweyRequestContext } from './dewey-requests.js';
import { DeweyStore, type StoredLog } from './store/dewey-store.js';
import { msToMicros } from './store/iso-time.js';

/**
 * A stand-in for Dewey: a plain `ws` server speaking Dewey's wire contract
 * (no subprotocol, `id: null` error replies to notifications, text-JSON tool
 * results, Dewey's error codes and message shapes) over an in-memory store,
 * plus test controls (a {@link DeweyFaults} it owns, offered here as its own
 * methods). Requests on one connection are answered one at a time, in order,
 * as Dewey's `async for message in websocket` loop does.
 */
export class DeweyEmulator {
  readonly #options: ResolvedDeweyEmulatorOptions;
  readonly #store = new DeweyStore();
  readonly #faults = new DeweyFaults(this.#store);
  readonly #requests: DeweyRequestContext;
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
    this.#options = resolveDeweyEmulatorOptions(options);
    this.#port = this.#options.port;
    this.#faults.setReplyDelay(this.#options.replyDelayMs);
    const clock = this.#options.clock;
    this.#requests = {
      faults: this.#faults,
      tools: {
        store: this.#store,
        nowMicros: () => msToMicros(clock()),
        realDeweyBugs: this.#options.realDeweyBugs,
        retentionDays: this.#options.retentionDays,
        onInsert: (rows) => this.#faults.notifyStored(rows),
      },
      control: (params) => runDeweyControl(this, params),
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
    this.#faults.abandonHeld();
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

  /** Delays every reply by `ms` (0 turns it off); requests stay answered in order. */
  setReplyDelay(ms: number): void {
    this.#faults.setReplyDelay(ms);
  }

  /** The current reply delay in milliseconds. */
  get replyDelayMs(): number {
    return this.#faults.replyDelayMs;
  }

  /**
   * Holds every `dewey_store_logs_batch` from now on unanswered until
   * `release()` — e.g. to kill a worker while its batch is in flight. A held
   * request also holds the requests behind it on the same connection.
   */
  hold(options: HoldOptions = {}): void {
    this.#faults.hold(options);
  }

  /** Stops holding and lets every held store call proceed; returns how many were held. */
  release(): number {
    return this.#faults.release();
  }

  /** Store calls waiting for `release()` right now. */
  get heldCount(): number {
    return this.#faults.heldCount;
  }

  /** Answers the next `count` `tools/call` requests (any tool) with a JSON-RPC error instead. */
  rejectNext(count = 1, error: RejectionOptions = {}): void {
    this.#faults.rejectNext(count, error);
  }

  /** A snapshot of the call counters. */
  get calls(): DeweyCallCounts {
    return this.#faults.calls;
  }

  /** Zeroes the call counters. */
  resetCalls(): void {
    this.#faults.resetCalls();
  }

  /** Calls `listener` with the rows of every stored batch; returns an unsubscribe function. */
  onStore(listener: (rows: StoredLog[]) => void): () => void {
    return this.#faults.onStore(listener);
  }

  /** Resolves with a copy of the stored rows once at least `count` are stored (timeout 10 s). */
  waitForRows(count: number, timeoutMs?: number): Promise<StoredLog[]> {
    return this.#faults.waitForRows(count, timeoutMs);
  }

  /** Resolves once at least `count` store calls have arrived in total (default timeout 10 s). */
  waitForStoreCalls(count: number, timeoutMs?: number): Promise<void> {
    return this.#faults.waitForStoreCalls(count, timeoutMs);
  }

  /** Resolves once at least `count` (default 1) store calls are held (default timeout 10 s). */
  waitForHeld(count?: number, timeoutMs?: number): Promise<void> {
    return this.#faults.waitForHeld(count, timeoutMs);
  }

  #accept(ws: WebSocket): void {
    const generation = this.#generation;
    let queue = Promise.resolve();
    ws.on('message', (data) => {
      const text = decodeText(data);
      queue = queue.then(() => this.#answer(ws, text, generation));
    });
    // Oversized frames and resets end the connection; nothing to report.
    ws.on('error', () => {});
  }

  async #answer(ws: WebSocket, text: string, generation: number): Promise<void> {
    if (generation !== this.#generation) return;
    let reply: DeweyReply | undefined;
    try {
      reply = await answerDeweyRequest(text, this.#requests);
    } catch (error) {
      reply = { frame: frameForError(error, null) };
    }
    if (!reply) return;
    const delay = this.#faults.replyDelayMs;
    if (!reply.immediate && delay > 0) await sleep(delay);
    if (generation !== this.#generation || ws.readyState !== WebSocket.OPEN) return;
    const afterSend = reply.afterSend;
    ws.send(JSON.stringify(reply.frame), () => afterSend?.());
  }
}
