import type { DeweyEmulator, RedisServer, RedisServerOptions } from '@godot/testkit';
import { afterEach, type TestContext } from 'vitest';
import { StoredMessages } from './delivery-check.js';
import type { GodotProcess } from './godot-process.js';
import { fetchMetrics, type PromSample } from './http-probe.js';
import { LoadGenerator, type LoadGeneratorOptions, type LoadResult } from './load-generator.js';
import type { QueueCounts, WaitingJob } from './stack/queue-probe.js';
import { TestStack } from './stack/test-stack.js';

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

/** A Godot deployment in miniature, each part its own process except the emulator. */
export interface ProcessStack {
  redis: RedisServer;
  /** In-process emulator: stoppable/restartable on the same port; assertions read it directly. */
  dewey: DeweyEmulator;
  server: GodotProcess;
  worker: GodotProcess;
  /** `ws://127.0.0.1:<port>/`. */
  serverUrl: string;
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
 * A {@link TestStack} with a private redis-server (AOF on by default), the
 * Dewey emulator in this process, and Godot's server and worker as separate
 * processes from source. Timings are the stack's short ones (a killed
 * worker's jobs return after 2 s), with Dewey retries backing off from
 * 100 ms to 500 ms.
 */
export async function startProcessStack(options: ProcessStackOptions = {}): Promise<ProcessStack> {
  const stack = await TestStack.start({
    aof: options.redis ?? { appendonly: true, appendfsync: 'everysec' },
    dewey: { down: options.deweyDown },
    queuePrefix: 'faults',
    env: {
      LOG_LEVEL: options.logLevel ?? 'info',
      RETRY_INITIAL_DELAY_MS: '100',
      RETRY_MAX_DELAY_MS: '500',
      ...options.env,
    },
  });
  const stored = new StoredMessages();
  stack.dewey.onStore((rows) => stored.add(rows.map((row) => row.message)));
  try {
    const [worker, server] = await Promise.all([stack.spawn('worker'), stack.spawn('server')]);
    if (options.waitForHealth ?? true) await stack.waitForHealth(server.origin);
    const serverUrl = `${server.origin.replace('http:', 'ws:')}/`;
    return {
      redis: stack.redis,
      dewey: stack.dewey,
      server,
      worker,
      serverUrl,
      serverMetrics: () => fetchMetrics(server.origin),
      workerMetrics: () => fetchMetrics(worker.origin),
      queueCounts: () => stack.queueCounts(),
      waitingJobs: () => stack.waitingJobs(),
      startLoad(load) {
        const generator = new LoadGenerator({ url: serverUrl, ...load });
        return { load: generator, run: generator.start() };
      },
      stored,
      logs: () => stack.logs(),
      close: () => stack.close(),
    };
  } catch (error) {
    const logs = stack.logs();
    await stack.close();
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
}
