import { withDefaults, withTimeout, workerHeartbeatKey } from '@godot/shared';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Body of `GET /health`. */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'unhealthy';
  redis: { up: boolean; error?: string; used_memory?: number; maxmemory?: number };
  dewey: { up: boolean };
  queue?: { waiting: number; paused: number; active: number; delayed: number; failed: number };
  worker: { heartbeat_age_ms: number | null; workers: number };
}

/** Options of `HealthCheck`. */
export interface HealthCheckOptions {
  redis: Redis;
  queue: Queue;
  deweyUp: () => boolean;
  /** A worker whose heartbeat is older than this counts as gone. @default 30000 */
  heartbeatMaxAgeMs?: number;
  /** A reading of Redis serves every caller for this long. @default 1000 */
  cacheMs?: number;
  /** A reading that takes longer than this reports Redis down. @default 1000 */
  timeoutMs?: number;
}

/** What one round of reads found in Redis; `newestBeat` is ms since epoch. */
type Reading =
  | {
      ok: true;
      counts: Record<string, number>;
      newestBeat: number | null;
      workers: number;
      memory: { used: number; max: number };
    }
  | { ok: false; error: string };

/**
 * `GET /health` (godot.md, Own logs, health, metrics). Healthy (HTTP 200)
 * means logs are accepted and delivered: Redis answers and a worker beat
 * recently. Dewey being down is "degraded", still 200: entries queue up
 * safely and a restart of Godot would not bring Dewey back.
 *
 * Cheap under load: one reading of Redis (job counts, plus the newest beat
 * and live count from the `workerHeartbeatKey` sorted set) serves every
 * caller for `cacheMs`, and callers that arrive while it runs share it. A
 * connection that is not ready answers 503 at once, without a round trip and
 * without serving a reading taken before the outage.
 */
export class HealthCheck {
  private readonly options: Required<HealthCheckOptions>;
  private readonly heartbeatKey: string;
  private cached: { startedAt: number; reading: Promise<Reading> } | undefined;

  constructor(options: HealthCheckOptions) {
    this.options = withDefaults(
      { heartbeatMaxAgeMs: 30_000, cacheMs: 1000, timeoutMs: 1000 },
      options,
    );
    if (!(this.options.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    if (!(this.options.cacheMs >= 0)) throw new RangeError('cacheMs must not be negative');
    this.heartbeatKey = workerHeartbeatKey(options.queue.name);
  }

  /** The HTTP code and body of `GET /health` now. */
  async check(): Promise<{ code: number; report: HealthReport }> {
    const { redis, deweyUp, heartbeatMaxAgeMs } = this.options;
    const dewey = { up: deweyUp() };
    // ioredis says whether the socket is usable: decide from that, not from
    // the text of the error a command would fail with.
    let reading: Reading;
    if (redis.status === 'ready') {
      reading = await this.reading();
    } else {
      this.cached = undefined; // taken before the outage: never serve it after
      reading = { ok: false, error: `Redis connection is ${redis.status}` };
    }
    if (!reading.ok) {
      return {
        code: 503,
        report: {
          status: 'unhealthy',
          redis: { up: false, error: reading.error },
          dewey,
          worker: { heartbeat_age_ms: null, workers: 0 },
        },
      };
    }
    const { counts, newestBeat, workers, memory } = reading;
    const age = newestBeat === null ? null : Math.max(0, Date.now() - newestBeat);
    const workerOk = age !== null && age <= heartbeatMaxAgeMs;
    // maxmemory with noeviction: at the limit Redis refuses every new entry.
    const full = memory.max > 0 && memory.used >= memory.max;
    const healthy = workerOk && !full;
    return {
      code: healthy ? 200 : 503,
      report: {
        status: healthy ? (dewey.up ? 'ok' : 'degraded') : 'unhealthy',
        redis: {
          up: true,
          ...(full ? { error: 'out of memory (maxmemory reached): entries are refused' } : {}),
          used_memory: memory.used,
          maxmemory: memory.max,
        },
        dewey,
        queue: {
          waiting: counts.waiting ?? 0,
          paused: counts.paused ?? 0,
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
        },
        worker: { heartbeat_age_ms: age, workers },
      },
    };
  }

  /** The shared reading: the one in flight or taken less than `cacheMs` ago, else a new one. */
  private reading(): Promise<Reading> {
    const now = Date.now();
    if (this.cached === undefined || now - this.cached.startedAt >= this.options.cacheMs) {
      this.cached = { startedAt: now, reading: this.read() };
    }
    return this.cached.reading;
  }

  /** Two round trips, whatever the size of the keyspace. Never rejects. */
  private async read(): Promise<Reading> {
    const { redis, queue, heartbeatMaxAgeMs, timeoutMs } = this.options;
    const cutoff = Date.now() - heartbeatMaxAgeMs;
    try {
      const [counts, beats] = await withTimeout(
        Promise.all([
          queue.getJobCounts('waiting', 'paused', 'active', 'delayed', 'failed'),
          redis
            .pipeline()
            .zrevrange(this.heartbeatKey, 0, 0, 'WITHSCORES')
            .zcount(this.heartbeatKey, cutoff, '+inf')
            .info('memory')
            .exec(),
        ]),
        timeoutMs,
      );
      const [newest, live, info] = (beats ?? []).map(([error, result]) => {
        if (error) throw error;
        return result;
      });
      const score = Number((newest as string[] | undefined)?.[1]);
      // Members older than the maximum age are a dead worker's: ignore them
      // (the workers' own beats remove them).
      const newestBeat = Number.isFinite(score) && score >= cutoff ? score : null;
      const field = (name: string) =>
        Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(String(info))?.[1] ?? 0);
      return {
        ok: true,
        counts,
        newestBeat,
        workers: Number(live ?? 0),
        memory: { used: field('used_memory'), max: field('maxmemory') },
      };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
}
