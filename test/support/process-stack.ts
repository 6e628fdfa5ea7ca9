import { randomUUID } from 'node:crypto';
import { keptEntryCount, type LogEntry } from '@godot/shared';
import {
  DeweyEmulator,
  freePort,
  RedisServer,
  type RedisServerOptions,
  redisCommand,
} from '@godot/testkit';
import { Redis } from 'ioredis';
import { afterEach, type TestContext } from 'vitest';
import { StoredMessages } from './delivery-check.js';
import { GODOT_MAINS, GodotProcess } from './godot-process.js';
import { fetchJson, fetchMetrics, type PromSample, waitUntil } from './http-probe.js';
import { LoadGenerator, type LoadGeneratorOptions, type LoadResult } from './load-generator.js';

/** Options of {@link startProcessStack}. */
export interface ProcessStackOptions {
  /** AOF settings of the private redis-server. @default { appendonly: true, appendfsync: 'everysec' } (production's) */
  redis?: Pick<RedisServerOptions, 'appendonly' | 'appendfsync'>;
  /** Start with the Dewey emulator stopped (its port reserved). @default false */
  deweyDown?: boolean;
  /** Godot's own log level in the children (kept in a buffer for failure reports). @default 'info' */
  logLevel?: 'warn' | 'info' | 'debug';
  /** Extra environment for server and worker (e.g. `MAX_QUEUE_SIZE`). @default {} */
  env?: Record<string, string>;
  /** Wait for the server's `/health` to be 200 before returning. @default true */
  waitForHealth?: boolean;
}

/** Depth of the queue, read straight from Redis. */
export interface QueueCounts {
  wait: number;
  active: number;
  delayed: number;
  failed: number;
}

/** One job in the wait list: all its entries (flush order) and how many of the newest it keeps. */
export interface WaitingJob {
  id: string;
  entries: LogEntry[];
  kept: number;
}

/** A Godot deployment in miniature, each part its own process except the emulator. */
export interface ProcessStack {
  redis: RedisServer;
  /** In-process emulator: stoppable/restartable on the same port; assertions read it directly. */
  dewey: DeweyEmulator;
  server: GodotProcess;
  worker: GodotProcess;
  queueName: string;
  /** `ws://127.0.0.1:<port>/`. */
  serverUrl: string;
  /** `http://127.0.0.1:<port>` of the server (`/health`, `/metrics`). */
  serverHttp: string;
  /** `http://127.0.0.1:<port>` of the worker. */
  workerHttp: string;
  /** Waits until the server's `/health` is 200 (Redis up and a worker heartbeat). */
  waitForHealth(timeoutMs?: number): Promise<unknown>;
  serverMetrics(): Promise<PromSample[]>;
  workerMetrics(): Promise<PromSample[]>;
  queueCounts(): Promise<QueueCounts>;
  /** The jobs in the wait list, oldest first, read straight from Redis. */
  waitingJobs(): Promise<WaitingJob[]>;
  /** Starts a load against the server; `run` settles when it ends (or `load.stop()`). */
  startLoad(options: Omit<LoadGeneratorOptions, 'url'>): {
    load: LoadGenerator;
    run: Promise<LoadResult>;
  };
  /** Messages stored in the emulator so far, counted as batches arrive. */
  stored: StoredMessages;
  /** Every process's recent output, for failure reports. */
  logs(): string;
  close(): Promise<void>;
}

/**
 * For a test file whose tests each start a stack: closes the test's stack
 * after it, and prints the processes' output when the test fails.
 */
export function processStackPerTest(): (
  context: Pick<TestContext, 'onTestFailed'>,
  options?: ProcessStackOptions,
) => Promise<ProcessStack> {
  let current: ProcessStack | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async ({ onTestFailed }, options) => {
    const stack = await startProcessStack(options);
    current = stack;
    onTestFailed(() => console.log(stack.logs()));
    return stack;
  };
}

/**
 * Starts a private redis-server (AOF on by default), a Dewey emulator in this
 * process, and Godot's server and worker as separate processes from source,
 * on free ports with a fresh queue name. Short timings make faults resolve
 * fast: a killed worker's jobs return after `WORKER_LOCK_MS` 2000, Dewey
 * retries back off from 100 ms to 500 ms.
 */
export async function startProcessStack(options: ProcessStackOptions = {}): Promise<ProcessStack> {
  // A port found free can be taken before the child binds it (another test,
  // or an outgoing connection's ephemeral port): start again on fresh ports.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startOnce(options: ProcessStackOptions): Promise<ProcessStack> {
  const redisOptions = options.redis ?? { appendonly: true, appendfsync: 'everysec' };
  const [redis, dewey, serverPort, workerPort] = await Promise.all([
    RedisServer.start(redisOptions),
    DeweyEmulator.start(),
    freePort(),
    freePort(),
  ]);
  if (options.deweyDown) await dewey.stop();
  const stored = new StoredMessages();
  dewey.onStore((rows) => stored.add(rows.map((row) => row.message)));
  const queueName = `faults-${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = {
    REDIS_URL: redis.url,
    DEWEY_URL: dewey.url,
    QUEUE_NAME: queueName,
    HOST: '127.0.0.1',
    PORT: String(serverPort),
    WORKER_HOST: '127.0.0.1',
    WORKER_PORT: String(workerPort),
    LOG_LEVEL: options.logLevel ?? 'info',
    WORKER_LOCK_MS: '2000',
    DEWEY_TIMEOUT_MS: '2000',
    RETRY_INITIAL_DELAY_MS: '100',
    RETRY_MAX_DELAY_MS: '500',
    ...options.env,
  };
  const serverHttp = `http://127.0.0.1:${serverPort}`;
  const workerHttp = `http://127.0.0.1:${workerPort}`;
  const started: GodotProcess[] = [];
  const cleanup = async () => {
    await Promise.all(started.map((child) => child.kill()));
    await Promise.allSettled([dewey.close(), redis.close()]);
  };
  const keep = (child: GodotProcess) => {
    started.push(child);
    return child;
  };
  let server: GodotProcess;
  let worker: GodotProcess;
  try {
    [worker, server] = await Promise.all([
      GodotProcess.start({
        name: 'worker',
        main: GODOT_MAINS.worker,
        env,
        readyUrl: `${workerHttp}/metrics`,
      }).then(keep),
      GodotProcess.start({
        name: 'server',
        main: GODOT_MAINS.server,
        env,
        readyUrl: `${serverHttp}/metrics`,
      }).then(keep),
    ]);
  } catch (error) {
    await cleanup();
    throw error;
  }

  const stack: ProcessStack = {
    redis,
    dewey,
    server,
    worker,
    queueName,
    serverUrl: `ws://127.0.0.1:${serverPort}/`,
    serverHttp,
    workerHttp,
    async waitForHealth(timeoutMs = 20_000) {
      let last: unknown;
      await waitUntil(
        async () => {
          const health = await fetchJson(`${serverHttp}/health`, 2000).catch((error: unknown) => ({
            status: 0,
            body: String(error),
          }));
          last = health.body;
          return health.status === 200;
        },
        timeoutMs,
        () => `server /health 200; last: ${JSON.stringify(last)}`,
      );
      return last;
    },
    serverMetrics: () => fetchMetrics(serverHttp),
    workerMetrics: () => fetchMetrics(workerHttp),
    startLoad(options) {
      const load = new LoadGenerator({ url: stack.serverUrl, ...options });
      return { load, run: load.start() };
    },
    async queueCounts() {
      const key = (name: string) => `bull:${queueName}:${name}`;
      const [wait, active, delayed, failed] = await Promise.all([
        redisCommand(redis.port, ['LLEN', key('wait')]),
        redisCommand(redis.port, ['LLEN', key('active')]),
        redisCommand(redis.port, ['ZCARD', key('delayed')]),
        redisCommand(redis.port, ['ZCARD', key('failed')]),
      ]);
      return {
        wait: Number(wait),
        active: Number(active),
        delayed: Number(delayed),
        failed: Number(failed),
      };
    },
    async waitingJobs() {
      const key = (name: string) => `bull:${queueName}:${name}`;
      const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      try {
        // BullMQ pushes new jobs at the head: the tail is the oldest.
        const ids = (await client.lrange(key('wait'), 0, -1)).reverse();
        const pipeline = client.pipeline();
        for (const id of ids) pipeline.hmget(key(id), 'name', 'data');
        const replies = (await pipeline.exec()) ?? [];
        return ids.map((id, index) => {
          const [name, data] = (replies[index]?.[1] ?? []) as [string | null, string | null];
          const parsed = JSON.parse(data ?? '{}') as { entries?: LogEntry[] };
          const entries = parsed.entries ?? [parsed as LogEntry];
          return { id, entries, kept: keptEntryCount(name ?? '') ?? entries.length };
        });
      } finally {
        client.disconnect();
      }
    },
    stored,
    logs: () => [server.log(), worker.log(), `[redis] ${redis.log}`].join('\n'),
    close: cleanup,
  };
  if (options.waitForHealth ?? true) {
    try {
      await stack.waitForHealth();
    } catch (error) {
      const logs = stack.logs();
      await cleanup();
      throw new Error(`${(error as Error).message}\n${logs}`);
    }
  }
  return stack;
}
