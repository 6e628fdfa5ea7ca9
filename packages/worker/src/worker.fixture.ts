import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  addLogJobs,
  type Config,
  LOG_JOB_OPTIONS,
  type LogEntry,
  type LogJobData,
  loadConfig,
  silentLogger,
} from '@godot/shared';
import { DeweyEmulator, RedisServer } from '@godot/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type GodotWorker, startGodotWorker } from './godot-worker.js';

/** A private Redis, emulator and queue for one test, with workers in-process or as processes. */
export interface WorkerStack {
  redis: RedisServer;
  dewey: DeweyEmulator;
  queue: Queue<LogJobData>;
  raw: Redis;
  config: Config;
  /**
   * Queues `count` entries as the server would, `perJob` to a job (1 unless
   * given: a server under light load); messages are `${prefix}${i}`.
   */
  enqueue(
    count: number,
    prefix?: string,
    over?: Partial<LogEntry>,
    perJob?: number,
  ): Promise<string[]>;
  /** Queues `count` entries as Godot 0.1 did: one entry as a job's whole data. */
  enqueueOneDotZero(count: number, prefix?: string): Promise<string[]>;
  startWorker(overrides?: Partial<Config>): Promise<GodotWorker>;
  spawnWorker(overrides?: Partial<Record<string, string>>): Promise<ChildProcess>;
  close(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Starts Redis (AOF off unless asked) and the emulator. */
export async function startWorkerStack(overrides: Partial<Config> = {}): Promise<WorkerStack> {
  const [redis, dewey] = await Promise.all([RedisServer.start(), DeweyEmulator.start()]);
  const config: Config = {
    ...loadConfig({}),
    REDIS_URL: redis.url,
    DEWEY_URL: dewey.url,
    QUEUE_NAME: `test-${randomUUID().slice(0, 8)}`,
    WORKER_PORT: 0,
    DEWEY_TIMEOUT_MS: 2000,
    RETRY_INITIAL_DELAY_MS: 50,
    RETRY_MAX_DELAY_MS: 300,
    ...overrides,
  };
  const raw = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue<LogJobData>(config.QUEUE_NAME, { connection: raw });
  const entry = (message: string, over: Partial<LogEntry> = {}): LogEntry => ({
    component: 'worker-test',
    level: 'INFO',
    message,
    trace_id: null,
    data: null,
    created_at: new Date().toISOString(),
    ...over,
  });
  const workers: GodotWorker[] = [];
  const children: ChildProcess[] = [];
  return {
    redis,
    dewey,
    queue,
    raw,
    config,
    async enqueue(count, prefix = 'm', over = {}, perJob = 1) {
      const jobs: LogJobData[] = [];
      for (let i = 0; i < count; i += perJob) {
        const size = Math.min(perJob, count - i);
        jobs.push({
          entries: Array.from({ length: size }, (_, k) => entry(`${prefix}${i + k}`, over)),
        });
      }
      return addLogJobs(queue, jobs, LOG_JOB_OPTIONS);
    },
    async enqueueOneDotZero(count, prefix = 'old') {
      const jobs = await (queue as unknown as Queue<LogEntry>).addBulk(
        Array.from({ length: count }, (_, i) => ({ name: 'log', data: entry(`${prefix}${i}`) })),
      );
      return jobs.map((job) => String(job.id));
    },
    async startWorker(more = {}) {
      const worker = await startGodotWorker(
        { ...config, ...more },
        { logger: silentLogger, lockDurationMs: 2000, stalledIntervalMs: 1000 },
      );
      workers.push(worker);
      return worker;
    },
    async spawnWorker(env = {}) {
      const child = spawn(
        process.execPath,
        ['--conditions=godot-source', '--import', 'tsx', MAIN],
        {
          env: {
            ...process.env,
            REDIS_URL: config.REDIS_URL,
            DEWEY_URL: config.DEWEY_URL,
            QUEUE_NAME: config.QUEUE_NAME,
            WORKER_PORT: '0',
            RETRY_INITIAL_DELAY_MS: '50',
            RETRY_MAX_DELAY_MS: '300',
            WORKER_LOCK_MS: '2000',
            LOG_LEVEL: 'info',
            ...env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk;
          if (out.includes('worker listening')) resolve();
        });
        child.stderr?.on('data', (chunk: Buffer) => {
          out += chunk;
        });
        child.once('exit', (code) =>
          reject(new Error(`worker exited (${code}) before listening: ${out}`)),
        );
      });
      return child;
    },
    async close() {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await Promise.allSettled(workers.map((worker) => worker.close()));
      await queue.close().catch(() => undefined);
      raw.disconnect();
      await Promise.allSettled([dewey.close(), redis.close()]);
    },
  };
}

/** Resolves with the exit code once `child` exits. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
