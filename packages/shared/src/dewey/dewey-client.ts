import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Config } from '../config/config.js';
import { DeweyConnection, type DeweyConnectionOptions } from './dewey-connection.js';
import {
  DeweyError,
  DeweyProtocolError,
  DeweyRejectedError,
  DeweyUnavailableError,
} from './dewey-errors.js';
import {
  type ClearResult,
  clearResultSchema,
  type DeweyClearArgs,
  type DeweyLogEntry,
  type DeweyQueryArgs,
  type LogRow,
  queryResultSchema,
  type StatsResult,
  type StoreResult,
  statsResultSchema,
  storeResultSchema,
} from './dewey-types.js';

/** The settings `deweyClientOptions` reads. */
export type DeweyConfig = Pick<
  Config,
  'DEWEY_URL' | 'DEWEY_TIMEOUT_MS' | 'RETRY_INITIAL_DELAY_MS' | 'RETRY_MAX_DELAY_MS'
>;

/** Client options from the configuration, as server and worker both use them. */
export function deweyClientOptions(config: DeweyConfig): DeweyClientOptions {
  return {
    url: config.DEWEY_URL,
    callTimeoutMs: config.DEWEY_TIMEOUT_MS,
    connectTimeoutMs: Math.min(5000, config.DEWEY_TIMEOUT_MS),
    reconnectInitialDelayMs: config.RETRY_INITIAL_DELAY_MS,
    reconnectMaxDelayMs: config.RETRY_MAX_DELAY_MS,
  };
}

/** Options of `DeweyClient`. */
export interface DeweyClientOptions extends DeweyConnectionOptions {
  /** Time allowed for one tool call's reply. @default 10000 */
  callTimeoutMs?: number;
}

/**
 * Typed access to Dewey's tools over one persistent, self-healing connection.
 * Every failure is a `DeweyUnavailableError` (retry later: `await
 * waitUntilUp()` first, the connection owns the backoff), a
 * `DeweyRejectedError` (Dewey said no: retrying the same call will not help)
 * or a `DeweyProtocolError` (Dewey answered outside its contract).
 */
export class DeweyClient {
  private readonly connection: DeweyConnection;
  private readonly callTimeoutMs: number;

  constructor(options: DeweyClientOptions) {
    this.connection = new DeweyConnection(options);
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
  }

  /** True while connected to Dewey. */
  get isUp(): boolean {
    return this.connection.isUp;
  }

  /** Failures (connect, connection lost, call timeout) since Dewey last answered a call. */
  get consecutiveFailures(): number {
    return this.connection.consecutiveFailures;
  }

  /** Connects now (optional: every call connects on demand). */
  async connect(): Promise<void> {
    await this.connection.get();
  }

  /**
   * Resolves once connected to Dewey, waiting for the connection's own
   * backoff — the way to wait after a `DeweyUnavailableError` before trying
   * again. The connection that failed is never the one this resolves on.
   * Rejects with `DeweyUnavailableError('closed')` on `close()`, or with
   * `signal.reason` when aborted.
   */
  waitUntilUp(signal?: AbortSignal): Promise<void> {
    return this.connection.waitUntilUp(signal);
  }

  /** Stores entries all-or-nothing (`dewey_store_logs_batch`). */
  async storeLogsBatch(logs: readonly DeweyLogEntry[]): Promise<StoreResult> {
    return this.call('dewey_store_logs_batch', { logs }, storeResultSchema);
  }

  /** Queries logs, newest first, with `data` decoded from Dewey's JSON string. */
  async queryLogs(args: DeweyQueryArgs = {}): Promise<LogRow[]> {
    const rows = await this.call('dewey_query_logs', args, queryResultSchema);
    return rows.map((row) => ({ ...row, data: decodeData(row.data) }));
  }

  /** Deletes logs (`dewey_clear_logs`). */
  async clearLogs(args: DeweyClearArgs = {}): Promise<ClearResult> {
    return this.call('dewey_clear_logs', args, clearResultSchema);
  }

  /** Counts by component and level (`dewey_get_log_stats`). */
  async getLogStats(): Promise<StatsResult> {
    return this.call('dewey_get_log_stats', {}, statsResultSchema);
  }

  /** Closes the connection for good. */
  async close(): Promise<void> {
    await this.connection.close();
  }

  private async call<S extends z.ZodType>(
    name: string,
    args: object,
    schema: S,
  ): Promise<z.output<S>> {
    const client = await this.connection.get();
    let result: Awaited<ReturnType<Client['callTool']>>;
    try {
      result = await client.callTool({ name, arguments: { ...args } }, undefined, {
        timeout: this.callTimeoutMs,
      });
    } catch (error) {
      throw this.classify(error, client, name);
    }
    this.connection.markHealthy();
    return parseResult(name, result, schema);
  }

  private classify(error: unknown, client: Client, name: string): DeweyError {
    if (error instanceof DeweyError) return error;
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      // Requests on one connection are answered in order: a stuck reply would
      // hold every later one, so start afresh.
      this.connection.reset(client);
      return new DeweyUnavailableError(
        'timeout',
        `Dewey did not answer ${name} within ${this.callTimeoutMs} ms`,
        {
          cause: error,
        },
      );
    }
    // The SDK rejects pending calls with -32000 "Connection closed" — the same
    // code Dewey uses for its own validation — so ask whether the connection died.
    if (!this.connection.isCurrent(client) || !(error instanceof McpError)) {
      // Not an McpError on a live connection: the transport refused the send
      // (socket closing) or the SDK could not read the reply. Start afresh, so
      // that `waitUntilUp` waits for a new connection instead of this one.
      this.connection.reset(client);
      return new DeweyUnavailableError('closed', `connection to Dewey lost during ${name}`, {
        cause: error,
      });
    }
    // Dewey answered (with a JSON-RPC error): the connection works.
    this.connection.markHealthy();
    return new DeweyRejectedError(error.code, rpcMessage(error), { cause: error });
  }
}

/**
 * Dewey's own message. `McpError` keeps only `code`, `data` and a message it
 * prefixed with `MCP error <code>: ` (SDK `types.ts`), so strip that prefix.
 */
function rpcMessage(error: McpError): string {
  const prefix = `MCP error ${error.code}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/** Dewey puts its payload as JSON inside one text item (docs/dewey-contract.md, "Results and errors"). */
function parseResult<S extends z.ZodType>(name: string, result: unknown, schema: S): z.output<S> {
  const content = (result as { content?: Array<{ type?: string; text?: string }> }).content;
  const text = content?.[0]?.type === 'text' ? content[0].text : undefined;
  if (text === undefined)
    throw new DeweyProtocolError(`${name}: Dewey's reply has no text content`);
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new DeweyProtocolError(`${name}: Dewey's reply is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new DeweyProtocolError(`${name}: unexpected reply shape: ${parsed.error.message}`);
  }
  return parsed.data;
}

/** Dewey returns `data` JSON-encoded; a string that is not JSON is returned as it is. */
function decodeData(data: string | null): unknown {
  if (data === null) return null;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}
