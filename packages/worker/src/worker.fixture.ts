import {
  addLogJobs,
  type Config,
  LOG_JOB_OPTIONS,
  type LogEntry,
  type LogJobData,
} from '@godot/shared';
import type { Queue } from 'bullmq';
import type { GodotProcess } from '../../../test/support/godot-process.js';
import { TestStack } from '../../../test/support/stack/test-stack.js';
import type { GodotWorker } from './godot-worker.js';

/** A private Redis, emulator and queue for one test, with workers in-process or as processes. */
export interface WorkerStack extends TestStack {
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
  /** Runs `main.ts` as its own process (`TestStack.spawn`); resolves once it serves HTTP. */
  spawnWorker(env?: Record<string, string>): Promise<GodotProcess>;
}

/** Starts Redis (AOF off) and the emulator. */
export async function startWorkerStack(overrides: Partial<Config> = {}): Promise<WorkerStack> {
  const stack = await TestStack.start({ config: overrides });
  const entry = (message: string, over: Partial<LogEntry> = {}): LogEntry => ({
    component: 'worker-test',
    level: 'INFO',
    message,
    trace_id: null,
    data: null,
    created_at: new Date().toISOString(),
    ...over,
  });
  return Object.assign(stack, {
    async enqueue(count: number, prefix = 'm', over: Partial<LogEntry> = {}, perJob = 1) {
      const jobs: LogJobData[] = [];
      for (let i = 0; i < count; i += perJob) {
        const size = Math.min(perJob, count - i);
        jobs.push({
          entries: Array.from({ length: size }, (_, k) => entry(`${prefix}${i + k}`, over)),
        });
      }
      return addLogJobs(stack.queue, jobs, LOG_JOB_OPTIONS);
    },
    async enqueueOneDotZero(count: number, prefix = 'old') {
      const jobs = await (stack.queue as unknown as Queue<LogEntry>).addBulk(
        Array.from({ length: count }, (_, i) => ({ name: 'log', data: entry(`${prefix}${i}`) })),
      );
      return jobs.map((job) => String(job.id));
    },
    spawnWorker: (env: Record<string, string> = {}) => stack.spawn('worker', { env }),
  });
}

/** Resolves with the exit code once `child` exits. */
export async function exited(child: GodotProcess): Promise<number | null> {
  return (await child.exited).code;
}
