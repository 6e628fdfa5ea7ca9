import { randomUUID } from 'node:crypto';
import {
  type Config,
  jobEntries,
  type LogEntry,
  type Logger,
  loadConfig,
  silentLogger,
  WebSocketClientTransport,
} from '@godot/shared';
import { DeweyEmulator, RedisServer } from '@godot/testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type GodotServer, type GodotServerOptions, startGodotServer } from './godot-server.js';

/** A private stack for one test file: real redis-server, Dewey emulator, and server(s). */
export interface ServerStack {
  redis: RedisServer;
  dewey: DeweyEmulator;
  servers: GodotServer[];
  /** Reads what the server queued, as the worker would. */
  queue: Queue;
  /** A plain connection for assertions. */
  raw: Redis;
  config: Config;
  /** `options` replace the defaults (a silent logger). */
  start(overrides?: Partial<Config>, options?: Partial<GodotServerOptions>): Promise<GodotServer>;
  close(): Promise<void>;
}

/** Starts Redis and the emulator; `start()` adds servers on free ports sharing them. */
export async function startServerStack(overrides: Partial<Config> = {}): Promise<ServerStack> {
  const [redis, dewey] = await Promise.all([RedisServer.start(), DeweyEmulator.start()]);
  const config: Config = {
    ...loadConfig({}),
    PORT: 0,
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    DEWEY_URL: dewey.url,
    QUEUE_NAME: `test-${randomUUID().slice(0, 8)}`,
    DEWEY_TIMEOUT_MS: 2000,
    RETRY_INITIAL_DELAY_MS: 50,
    RETRY_MAX_DELAY_MS: 200,
    ...overrides,
  };
  const raw = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const queue = new Queue(config.QUEUE_NAME, { connection: raw });
  const servers: GodotServer[] = [];
  return {
    redis,
    dewey,
    servers,
    queue,
    raw,
    config,
    async start(more = {}, options = {}) {
      const server = await startGodotServer(
        { ...config, ...more },
        { logger: silentLogger, ...options },
      );
      servers.push(server);
      return server;
    },
    async close() {
      await Promise.allSettled(servers.map((server) => server.close()));
      await queue.close().catch(() => undefined);
      raw.disconnect();
      await Promise.allSettled([dewey.close(), redis.close()]);
    },
  };
}

/** An SDK `Client` connected to a server over our WebSocket transport. */
export async function connectClient(
  url: string,
  headers?: Record<string, string>,
): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new WebSocketClientTransport(url, { headers }));
  return client;
}

/** The JSON payload inside a tool result's first text item. */
export function payload<T = Record<string, unknown>>(result: unknown): T {
  const content = (result as { content: { text: string }[] }).content;
  return JSON.parse(content[0]?.text ?? 'null') as T;
}

/** The text of a tool error, failing if the result was not an error. */
export function errorText(result: unknown): string {
  const r = result as { isError?: boolean; content: { text: string }[] };
  if (!r.isError) throw new Error(`expected a tool error, got ${JSON.stringify(result)}`);
  return r.content[0]?.text ?? '';
}

/** The entries a job holds for delivery (a job holds the entries of one flush). */
export async function entriesOfJob(queue: Queue, id: string): Promise<LogEntry[]> {
  const job = await queue.getJob(id);
  return job ? (jobEntries(job) as LogEntry[]) : [];
}

/** Every entry waiting for delivery, oldest first, as the worker will take them. */
export async function waitingEntries(queue: Queue): Promise<LogEntry[]> {
  // BullMQ lists the wait list newest first; `asc` turns it around.
  const jobs = await queue.getJobs(['waiting'], 0, -1, true);
  return jobs.flatMap((job) => jobEntries(job) as LogEntry[]);
}

/** One line a `recordingLogger` kept. */
export interface RecordedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

/** A logger that keeps every line, for assertions on Godot's own log. */
export function recordingLogger(): { logger: Logger; lines: RecordedLine[] } {
  const lines: RecordedLine[] = [];
  const at = (level: RecordedLine['level']) => (obj: object, msg?: string) =>
    void lines.push({ level, obj, msg });
  return {
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    lines,
  };
}

/** The protocol version the `/mcp` tests speak. */
export const MCP_PROTOCOL_VERSION = '2025-06-18';

/** A bare `initialize` POSTed to a `/mcp` URL, as a Streamable HTTP client opens a session. */
export function postInitialize(url: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: MCP_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 't', version: '0' },
      },
    }),
  });
}

/** One sample of a server's `/metrics` (0 when absent), e.g. `metricSample(s, 'x_total{reason="a"}')`. */
export async function metricSample(server: { port: number }, sample: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}
