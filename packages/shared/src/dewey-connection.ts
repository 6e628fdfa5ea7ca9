import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { backoffDelay } from './backoff.js';
import { DeweyUnavailableError } from './dewey-errors.js';
import { type Logger, silentLogger } from './logger.js';
import { WebSocketClientTransport } from './transport/websocket-client-transport.js';
import { withDefaults } from './with-defaults.js';

/** Options of `DeweyConnection`. */
export interface DeweyConnectionOptions {
  /** Dewey's WebSocket URL, e.g. `ws://dewey-mcp:9020`. */
  url: string;
  /** Time allowed for the WebSocket handshake plus `initialize`. @default 5000 */
  connectTimeoutMs?: number;
  /** First reconnect delay after a loss. @default 1000 */
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

/**
 * Keeps one SDK `Client` connected to Dewey. A lost connection is re-opened in
 * the background with exponential backoff and jitter; a caller that needs the
 * client meanwhile triggers an immediate attempt instead of waiting out the delay.
 */
export class DeweyConnection {
  private readonly options: Required<Omit<DeweyConnectionOptions, 'onStatusChange'>> &
    Pick<DeweyConnectionOptions, 'onStatusChange'>;
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

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
  }

  /** True while a client is connected and initialised. */
  get isUp(): boolean {
    return this.client !== undefined;
  }

  /** The connected client, connecting now if there is none. Throws `DeweyUnavailableError`. */
  async get(): Promise<Client> {
    if (this.closed) throw new DeweyUnavailableError('closed', 'Dewey client is closed');
    if (this.client) return this.client;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Whether `client` is still the live one (false once its connection closed). */
  isCurrent(client: Client): boolean {
    return this.client === client;
  }

  /** Drops the current connection (e.g. after a timeout left it unusable); it reconnects. */
  reset(client: Client): void {
    if (this.client === client) void client.close();
  }

  /** Closes for good; pending and later calls fail with `DeweyUnavailableError`. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  private async connect(): Promise<Client> {
    clearTimeout(this.reconnectTimer);
    const { url, connectTimeoutMs, logger } = this.options;
    const client = new Client({ name: 'godot', version: '0.1.0' }, { capabilities: {} });
    // Dewey answers notifications with `id: null` errors; the transport reports
    // them here and keeps the connection (dewey-contract.md, Handshake).
    client.onerror = (error) => logger.debug({ err: error.message }, 'dewey: ignored frame');
    try {
      await client.connect(this.options.createTransport(url, connectTimeoutMs), {
        timeout: connectTimeoutMs,
      });
    } catch (error) {
      void client.close();
      this.failures += 1;
      this.scheduleReconnect();
      throw new DeweyUnavailableError(
        'connect',
        `cannot connect to Dewey at ${url}: ${message(error)}`,
        {
          cause: error,
        },
      );
    }
    if (this.closed) {
      await client.close();
      throw new DeweyUnavailableError('closed', 'Dewey client is closed');
    }
    client.onclose = () => this.lost(client);
    this.client = client;
    if (this.failures > 0) logger.info({ url, attempts: this.failures }, 'dewey: reconnected');
    this.failures = 0;
    this.options.onStatusChange?.(true);
    return client;
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.options.onStatusChange?.(false);
    if (this.closed) return;
    this.options.logger.warn({ url: this.options.url }, 'dewey: connection lost, reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    const delay = backoffDelay(Math.max(0, this.failures - 1), {
      initialDelayMs: this.options.reconnectInitialDelayMs,
      maxDelayMs: this.options.reconnectMaxDelayMs,
    });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.get().catch(() => {
        // A failed attempt schedules the next one itself.
      });
    }, delay);
    this.reconnectTimer.unref();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
