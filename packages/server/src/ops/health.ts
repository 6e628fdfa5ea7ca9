import {
  masters,
  type RecentSpan,
  type RedisConnection,
  withDefaults,
  withTimeout,
  workerHeartbeatKey,
} from '@godot/shared';
import type { Queue } from 'bullmq';
import {
  type RecentWindowReport,
  type RecentWindowSettings,
  recentWindowReport,
} from './recent-window-view.js';
import { addCounts, type JobCounts, readShardCounts } from './shard-counts.js';

const STATES = ['waiting', 'paused', 'active', 'delayed', 'failed'] as const;
type QueueCounts = JobCounts<(typeof STATES)[number]>;

/** Body of `GET /health`. */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'unhealthy';
  /** On a cluster, the memory figures are those of the master nearest its maxmemory. */
  redis: {
    up: boolean;
    error?: string;
    used_memory?: number;
    maxmemory?: number;
    /** Masters read (a cluster's), 1 for a single Redis. */
    nodes?: number;
  };
  dewey: { up: boolean };
  /** Summed over the shards; `shards` lists each when there are several. */
  queue?: QueueCounts & { shards?: Array<QueueCounts & { shard: number }> };
  worker: { heartbeat_age_ms: number | null; workers: number };
  /** The recent window, when it is on (docs/product.md#recent-window). */
  recent?: RecentWindowReport;
  /** Entries this server dropped to keep the queue bound, since it started (`godot_logs_dropped_total`). */
  drops?: number;
  /** Configuration that cannot work as intended; the status is unchanged. */
  warnings?: string[];
}

/** Options of `HealthCheck`. */
export interface HealthCheckOptions {
  redis: RedisConnection;
  /** Every queue shard, in shard order. */
  queues: readonly Queue[];
  /** QUEUE_NAME, whose heartbeat key the workers write. */
  queueName: string;
  deweyUp: () => boolean;
  /**
   * When this server's last write was refused for lack of memory (epoch ms),
   * or undefined once a later one went in (`Ingest.lastOutOfMemory`).
   * @default () => undefined
   */
  lastOutOfMemory?: () => number | undefined;
  /** The recent window's span and bounds, when it is on. @default undefined (off) */
  recent?: { span: () => Promise<RecentSpan>; settings: RecentWindowSettings };
  /** This server's dropped entries so far (the queue bound). @default undefined (not reported) */
  drops?: () => Promise<number>;
  /**
   * MAX_QUEUE_BYTES: with the window's bytes, what Redis's maxmemory must
   * hold with room to spare, or `/health` warns. @default 0 (not checked)
   */
  queueMaxBytes?: number;
  /** A refusal older than this no longer makes the queue count as full. @default 10000 */
  outOfMemoryWindowMs?: number;
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
      shards: QueueCounts[];
      newestBeat: number | null;
      workers: number;
      memory: { used: number; max: number; nodes: number };
      /** The recent window's span; absent when it is off or could not be read. */
      recent?: RecentSpan;
    }
  | { ok: false; error: string };

/**
 * `GET /health` (docs/product.md#health). Healthy (HTTP 200)
 * means logs are accepted and delivered: Redis answers and a worker beat
 * recently. Dewey being down is "degraded", still 200: entries queue up
 * safely and a restart of Godot would not bring Dewey back.
 *
 * Cheap under load: one reading of Redis (job counts, plus the newest beat
 * and live count from `workerHeartbeatKey`, the one set of live workers,
 * which the workers' `WorkerPresence` writes) serves every
 * caller for `cacheMs`, and callers that arrive while it runs share it. A
 * connection that is not ready answers 503 at once, without a round trip and
 * without serving a reading taken before the outage.
 */
export class HealthCheck {
  private readonly options: Required<Omit<HealthCheckOptions, 'recent' | 'drops'>> &
    Pick<HealthCheckOptions, 'recent' | 'drops'>;
  private readonly heartbeatKey: string;
  private cached: { startedAt: number; reading: Promise<Reading> } | undefined;

  constructor(options: HealthCheckOptions) {
    this.options = withDefaults(
      {
        heartbeatMaxAgeMs: 30_000,
        cacheMs: 1000,
        timeoutMs: 1000,
        lastOutOfMemory: () => undefined,
        outOfMemoryWindowMs: 10_000,
        queueMaxBytes: 0,
      },
      options,
    );
    if (!(this.options.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    if (!(this.options.cacheMs >= 0)) throw new RangeError('cacheMs must not be negative');
    this.heartbeatKey = workerHeartbeatKey(options.queueName);
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
    const { shards, newestBeat, workers, memory } = reading;
    const queue = addCounts(STATES, shards);
    const age = newestBeat === null ? null : Math.max(0, Date.now() - newestBeat);
    const workerOk = age !== null && age <= heartbeatMaxAgeMs;
    // maxmemory with noeviction: at the limit Redis refuses every new entry.
    const refusedAt = this.options.lastOutOfMemory();
    const full =
      (memory.max > 0 && memory.used >= memory.max) ||
      (refusedAt !== undefined && Date.now() - refusedAt < this.options.outOfMemoryWindowMs);
    const healthy = workerOk && !full;
    const recent =
      this.options.recent && reading.recent
        ? recentWindowReport(reading.recent, this.options.recent.settings)
        : undefined;
    const drops = await this.options.drops?.().catch(() => undefined);
    const warnings = memoryWarnings(memory.max, this.options.queueMaxBytes, this.options.recent);
    return {
      code: healthy ? 200 : 503,
      report: {
        status: healthy ? (dewey.up ? 'ok' : 'degraded') : 'unhealthy',
        redis: {
          up: true,
          ...(full ? { error: 'out of memory (maxmemory reached): entries are refused' } : {}),
          used_memory: memory.used,
          maxmemory: memory.max,
          nodes: memory.nodes,
        },
        dewey,
        queue:
          shards.length > 1
            ? { ...queue, shards: shards.map((counts, shard) => ({ shard, ...counts })) }
            : queue,
        worker: { heartbeat_age_ms: age, workers },
        ...(recent ? { recent } : {}),
        ...(drops === undefined ? {} : { drops }),
        ...(drops === undefined ? {} : { drops }),
        ...(warnings.length > 0 ? { warnings } : {}),
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

  /**
   * One round trip per shard and one per master, run together, whatever the
   * size of the keyspace. Never rejects.
   */
  private async read(): Promise<Reading> {
    const { redis, queues, heartbeatMaxAgeMs, timeoutMs } = this.options;
    const cutoff = Date.now() - heartbeatMaxAgeMs;
    try {
      const [shards, beats, memory, recent] = await withTimeout(
        Promise.all([
          readShardCounts(queues, STATES),
          redis
            .pipeline()
            .zrevrange(this.heartbeatKey, 0, 0, 'WITHSCORES')
            .zcount(this.heartbeatKey, cutoff, '+inf')
            .exec(),
          readMemory(redis),
          // The window is reported when it can be read; it never makes the check fail.
          this.options.recent?.span().catch(() => undefined),
        ]),
        timeoutMs,
      );
      const [newest, live] = (beats ?? []).map(([error, result]) => {
        if (error) throw error;
        return result;
      });
      const score = Number((newest as string[] | undefined)?.[1]);
      // Members older than the maximum age are a dead worker's: ignore them
      // (the workers' own beats remove them).
      const newestBeat = Number.isFinite(score) && score >= cutoff ? score : null;
      return {
        ok: true,
        shards,
        newestBeat,
        workers: Number(live ?? 0),
        memory,
        ...(recent ? { recent } : {}),
      };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
}

/**
 * Memory of the master nearest its `maxmemory` (the one that refuses writes
 * first), or of the one Redis: `INFO memory` on each.
 */
async function readMemory(
  redis: RedisConnection,
): Promise<{ used: number; max: number; nodes: number }> {
  const nodes = masters(redis);
  const infos = await Promise.all(nodes.map((node) => node.info('memory')));
  let fullest = { used: 0, max: 0, ratio: -1 };
  for (const info of infos) {
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    const used = field('used_memory');
    const max = field('maxmemory');
    // Without a maxmemory a node cannot be full; among those, the largest counts.
    const ratio = max > 0 ? used / max : used / Number.MAX_SAFE_INTEGER;
    if (ratio > fullest.ratio) fullest = { used, max, ratio };
  }
  return { used: fullest.used, max: fullest.max, nodes: nodes.length };
}

/**
 * How much more memory than the bytes it is asked to hold Redis needs:
 * BullMQ's job hashes and lists, the stream's records, failed jobs and the
 * AOF rewrite buffer (deploy/redis.conf).
 */
const MEMORY_HEADROOM = 1.5;

/**
 * A warning when maxmemory cannot hold the queue bound and the recent window
 * together with room to spare: Redis would then refuse entries before
 * Godot's own bounds drop the oldest.
 */
function memoryWarnings(
  maxmemory: number,
  queueMaxBytes: number,
  recent: HealthCheckOptions['recent'],
): string[] {
  const windowBytes = recent?.settings.maxBytes ?? 0;
  const needed = Math.ceil((queueMaxBytes + windowBytes) * MEMORY_HEADROOM);
  if (maxmemory <= 0 || queueMaxBytes <= 0 || maxmemory >= needed) return [];
  return [
    `Redis maxmemory (${maxmemory} bytes) is below ${MEMORY_HEADROOM}× MAX_QUEUE_BYTES + RECENT_MAX_BYTES (${needed} bytes): Redis may refuse entries before Godot's bounds drop the oldest; raise maxmemory or lower them`,
  ];
}
