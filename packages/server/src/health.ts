import { workerHeartbeatPattern } from '@godot/shared';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Body of `GET /health`. */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'unhealthy';
  redis: { up: boolean; error?: string };
  dewey: { up: boolean };
  queue?: { waiting: number; active: number; delayed: number; failed: number };
  worker: { heartbeat_age_ms: number | null; workers: number };
}

/** Options of `checkHealth`. */
export interface HealthOptions {
  redis: Redis;
  queue: Queue;
  deweyUp: () => boolean;
  /** A worker whose heartbeat is older than this counts as gone. @default 30000 */
  heartbeatMaxAgeMs?: number;
}

/**
 * Healthy (HTTP 200) means logs are accepted and delivered: Redis answers and
 * a worker beat recently. Dewey being down is "degraded", still 200: entries
 * queue up safely and a restart of Godot would not bring Dewey back.
 */
export async function checkHealth(
  options: HealthOptions,
): Promise<{ code: number; report: HealthReport }> {
  const { redis, queue, heartbeatMaxAgeMs = 30_000 } = options;
  const dewey = { up: options.deweyUp() };
  try {
    const [counts, beats] = await withTimeout(
      Promise.all([
        queue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
        heartbeats(redis, queue.name),
      ]),
      1000,
    );
    const newest = beats.length > 0 ? Math.max(...beats) : undefined;
    const age = newest === undefined ? null : Math.max(0, Date.now() - newest);
    const workerOk = age !== null && age <= heartbeatMaxAgeMs;
    const report: HealthReport = {
      status: workerOk ? (dewey.up ? 'ok' : 'degraded') : 'unhealthy',
      redis: { up: true },
      dewey,
      queue: {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
      },
      worker: { heartbeat_age_ms: age, workers: beats.length },
    };
    return { code: workerOk ? 200 : 503, report };
  } catch (error) {
    return {
      code: 503,
      report: {
        status: 'unhealthy',
        redis: { up: false, error: error instanceof Error ? error.message : String(error) },
        dewey,
        worker: { heartbeat_age_ms: null, workers: 0 },
      },
    };
  }
}

async function heartbeats(redis: Redis, queueName: string): Promise<number[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(
      cursor,
      'MATCH',
      workerHeartbeatPattern(queueName),
      'COUNT',
      100,
    );
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  return (await redis.mget(...keys)).map(Number).filter(Number.isFinite);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
