import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { ConnectError } from '../transport/transport-errors.js';
import { WebSocketClientTransport } from '../transport/websocket-client-transport.js';
import { backoffDelay } from '../util/backoff.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { redactUrl } from '../util/redact-url.js';
import { withDefaults } from '../util/with-defaults.js';
import { DeweyUnavailableError } from './dewey-errors.js';

/** Options of `DeweyConnection`. */
export interface DeweyConnectionOptions {
  /**
   * Dewey's WebSocket URL, e.g. `ws://dewey-mcp:9020`. It may carry
   * credentials; logs and errors only ever show it through `redactUrl`.
   */
  url: string;
  /** Time allowed for the WebSocket handshake plus `initialize`. @default 5000 */
  connectTimeoutMs?: number;
  /** Reconnect delay after the first failure; it doubles with each further one. @default 1000 */
  reconnectInitialDelayMs?: number;
  /** Longest reconnect delay. @default 30000 */
  reconnectMaxDelayMs?: number;
  /** Builds the transport; tests may inject. @default a `WebSocketClientTransport` offering no subprotocol */
  createTransport?: (url: string, connectTimeoutMs: number) => Transport;
  /** Called whenever Dewey goes up or down (for the `dewey_up` gauge). */
  onStatusChange?: (up: boolean) => void;
  /** Our own log. @default silentLogger */
  logger?: Logger;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Keeps one SDK `Client` connected to Dewey, and is the one place that retries
 * it: one owner for retrying Dewey. Once asked to connect, it reconnects
 * in the background with exponential backoff and jitter until closed.
 *
 * The delay grows with consecutive failures — a connect that fails, a
 * connection lost, a call that timed out — and starts over only when Dewey
 * answers a call (`markHealthy`), not when a handshake succeeds: a Dewey that
 * accepts connections but drops every call still sees growing delays.
 *
 * `get()` connects at once when there is no client (a caller that needs
 * Dewey now does not wait out the delay); `waitUntilUp()` waits for the
 * scheduled attempt instead.
 */
export class DeweyConnection {
  private readonly options: Required<Omit<DeweyConnectionOptions, 'onStatusChange'>> &
    Pick<DeweyConnectionOptions, 'onStatusChange'>;
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<Waiter>();
  private failures = 0;
  private closed = false;
  /** `url` as logs and error messages show it (they reach tool replies). */
  private readonly label: string;

  constructor(options: DeweyConnectionOptions) {
    this.options = withDefaults(
      {
        connectTimeoutMs: 5000,
        reconnectInitialDelayMs: 1000,
        reconnectMaxDelayMs: 30_000,
        createTransport: (url: string, connectTimeoutMs: number): Transport =>
          new WebSocketClientTransport(url, { connectTimeoutMs }),
        logger: silentLogger,
      },
      options,
    );
    this.label = redactUrl(this.options.url);
  }

  /** True while a client is connected and initialised. */
  get isUp(): boolean {
    return this.client !== undefined;
  }

  /** Failures since Dewey last answered a call; drives the reconnect delay. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** The connected client, connecting now if there is none. Throws `DeweyUnavailableError`. */
  async get(): Promise<Client> {
    if (this.closed) throw closedError();
    if (this.client) return this.client;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /**
   * Resolves once a client is connected: at once if one is, else when the
   * attempt under way or the next scheduled background attempt succeeds
   * (the first attempt starts now if none was ever made). Rejects with
   * `DeweyUnavailableError('closed')` on `close()`, or with `signal.reason`.
   */
  waitUntilUp(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.closed) return Promise.reject(closedError());
    if (this.client) return Promise.resolve();
    // Once started, a pending attempt always exists while down (connecting,
    // or a timer): only the very first wait has to start one.
    if (!this.connecting && this.reconnectTimer === undefined) this.attemptInBackground();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => settle(() => reject(signal?.reason));
      const settle = (finish: () => void) => {
        this.waiters.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
        // Only a waiter keeps the process alive for the background attempt.
        if (this.waiters.size === 0) this.reconnectTimer?.unref();
        finish();
      };
      const waiter: Waiter = {
        resolve: () => settle(resolve),
        reject: (error) => settle(() => reject(error)),
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.reconnectTimer?.ref();
    });
  }

  /** Whether `client` is still the live one (false once its connection closed or was reset). */
  isCurrent(client: Client): boolean {
    return this.client === client;
  }

  /** Dewey answered a call: the connection works, so the next reconnect delay starts over. */
  markHealthy(): void {
    this.failures = 0;
  }

  /**
   * Drops `client` (e.g. after a timeout left it unusable) and counts a
   * failure. It is detached at once, so `waitUntilUp` waits for the next
   * connection rather than resolving on this dying one.
   */
  reset(client: Client): void {
    if (this.client !== client) return;
    this.detach();
    void client.close();
  }

  /** Closes for good; pending and later calls and waits fail with `DeweyUnavailableError`. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const waiter of [...this.waiters]) waiter.reject(closedError());
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  private async connect(): Promise<Client> {
    // This attempt replaces the scheduled one; forgetting the handle lets a
    // failure below schedule the next (otherwise reconnecting stops for good).
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const { url, connectTimeoutMs, logger } = this.options;
    const client = new Client({ name: 'godot', version: '0.1.0' }, { capabilities: {} });
    // Dewey answers notifications with `id: null` errors; the transport reports
    // them here and keeps the connection (docs/dewey-contract.md, "Handshake").
    client.onerror = (error) => logger.debug({ err: error.message }, 'dewey: ignored frame');
    // One deadline for the handshake and `initialize` together: the transport
    // gives up the handshake at `connectTimeoutMs`, the signal the rest.
    const deadline = AbortSignal.timeout(connectTimeoutMs);
    try {
      await client.connect(this.options.createTransport(url, connectTimeoutMs), {
        timeout: connectTimeoutMs,
        signal: deadline,
      });
    } catch (error) {
      void client.close();
      if (this.closed) throw closedError();
      this.failures += 1;
      this.scheduleReconnect();
      throw new DeweyUnavailableError(
        'connect',
        `cannot connect to Dewey at ${this.label}: ${connectFailure(error, deadline, connectTimeoutMs)}`,
        { cause: error },
      );
    }
    if (this.closed) {
      await client.close();
      throw closedError();
    }
    client.onclose = () => this.lost(client);
    this.client = client;
    if (this.failures > 0)
      logger.info({ url: this.label, failures: this.failures }, 'dewey: reconnected');
    this.options.onStatusChange?.(true);
    for (const waiter of [...this.waiters]) waiter.resolve();
    return client;
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.options.logger.warn({ url: this.label }, 'dewey: connection lost, reconnecting');
    this.detach();
  }

  /** Forgets the live client after a failure on it, and schedules the next attempt. */
  private detach(): void {
    this.client = undefined;
    this.failures += 1;
    this.options.onStatusChange?.(false);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    const delay = backoffDelay(Math.max(0, this.failures - 1), {
      initialDelayMs: this.options.reconnectInitialDelayMs,
      maxDelayMs: this.options.reconnectMaxDelayMs,
    });
    this.options.logger.debug({ failures: this.failures, delayMs: delay }, 'dewey: next attempt');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.attemptInBackground();
    }, delay);
    if (this.waiters.size === 0) this.reconnectTimer.unref();
  }

  private attemptInBackground(): void {
    this.get().catch(() => {
      // A failed attempt schedules the next one itself.
    });
  }
}

function closedError(): DeweyUnavailableError {
  return new DeweyUnavailableError('closed', 'Dewey client is closed');
}

/**
 * Why a connect attempt failed, decided from the error's class and the
 * deadline, never from its text. A transport connect error names the URL
 * itself (redacted); its `detail` is the why alone.
 */
function connectFailure(error: unknown, deadline: AbortSignal, timeoutMs: number): string {
  if (error instanceof ConnectError) return error.detail;
  if (deadline.aborted || (error instanceof McpError && error.code === ErrorCode.RequestTimeout)) {
    return `no reply to initialize within ${timeoutMs} ms`;
  }
  return error instanceof Error ? error.message : String(error);
}
