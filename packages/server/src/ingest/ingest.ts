import {
  type JobAppender,
  type Level,
  type Logger,
  type LogJobData,
  withDefaults,
} from '@godot/shared';
import type { Queue } from 'bullmq';
import type { LogInput } from '../mcp/tools/logger-log.js';
import type { ServerMetrics } from '../ops/server-metrics.js';
import { BoundKeeper, type KeptBound } from './bound-keeper.js';
import { GroupCommit, type PendingCall, rejectCall, resolveCall } from './group-commit.js';
import { QueueUnavailableError } from './ingest-errors.js';
import { JobWriter } from './job-writer.js';
import { filterByLevel } from './level-filter.js';
import type { LevelStore } from './level-store.js';
import { isOutOfMemory } from './out-of-memory.js';
import { type ShapedEntry, shapeEntry } from './shape-entry.js';
import { ShardRotation } from './shard-rotation.js';

/** Reply of `logger_log` (docs/product.md, "logger_log"). */
export type LogReply =
  | { status: 'ok'; queued: true; id: string; sanitized?: true }
  | { status: 'ok'; queued: false; reason: string };

/** One shard's queue, the bound that keeps its share of MAX_QUEUE_SIZE, and its job appender. */
export interface IngestShard {
  queue: Queue<LogJobData>;
  bound: KeptBound;
  appender: JobAppender;
}

/** Options of `Ingest`. */
export interface IngestOptions {
  /** The queue shards; flushes go to each in turn (docs/product.md#shards-and-redis-cluster). */
  shards: readonly IngestShard[];
  levels: LevelStore;
  metrics: ServerMetrics;
  logger: Logger;
  /** Largest serialized entry. @default 1048576 */
  maxEntryBytes?: number;
  /** Time Redis has to accept an entry, from its arrival, before the caller gets an error. @default 1000 */
  enqueueTimeoutMs?: number;
  /** Most entries per Redis round trip. @default 1000 */
  maxFlushEntries?: number;
  /**
   * Whether the Redis connection can send now (`redis.status === 'ready'`):
   * when it cannot, a refused flush certainly queued nothing. @default () => true
   */
  connected?: () => boolean;
  /** Most entries per job, so that a job always fits one Dewey batch (BATCH_SIZE). @default 100 */
  maxJobEntries?: number;
  /** Most serialized bytes per job (BATCH_MAX_BYTES); a larger entry still goes, alone. @default 8388608 */
  maxJobBytes?: number;
  /**
   * How long a new job gathers the entries of later flushes before a worker
   * may take it (BATCH_TIMEOUT_MS; job-writer.ts). 0: a job per flush. @default 100
   */
  gatherMs?: number;
  /** Least time between two bound checks of this server; one always follows the last flush. @default 100 */
  trimIntervalMs?: number;
  /**
   * How long a flush waits for more calls while calls keep coming (the last
   * flush started less than `busyWindowMs` ago), so that they share one
   * Redis call. Off by default: since a job gathers the entries of many
   * flushes (job-writer.ts), a flush costs one cheap append, and waiting
   * bought less CPU (0.30 → 0.28 ms per entry at 1,000/s) than it cost in
   * latency (p50 0.5 → 2 ms). A call that arrives after a quiet spell never
   * waits. @default 0
   */
  lingerMs?: number;
  /** See `lingerMs`. @default 10 */
  busyWindowMs?: number;
  /** Least time between two "dropped" lines in our log. @default 10000 */
  dropReportIntervalMs?: number;
  /** Clock for `created_at`. @default () => new Date() */
  now?: () => Date;
}

type Call = PendingCall<ShapedEntry, LogReply>;

/**
 * The `logger_log` data path (docs/data-path.md#ingest): shape the entry
 * (shape-entry.ts), then queue it by group commit (group-commit.ts). A flush
 * is one Redis round trip: the entries that pass their component's level
 * (level-filter.ts) become one job, or a few that each fit a Dewey batch
 * (split-into-jobs.ts), added in one MULTI that also accounts for them in the
 * bound (`addLogJobs`), on the next shard in turn (shard-rotation.ts). The
 * bound is then checked off the reply path (bound-keeper.ts).
 */
export class Ingest {
  private readonly options: Required<IngestOptions>;
  private readonly commit: GroupCommit<ShapedEntry, LogReply>;
  private readonly rotation: ShardRotation<IngestShard & { writer: JobWriter }>;
  private readonly keeper: BoundKeeper;
  private closed = false;
  /** When Redis refused the last flush for lack of memory (epoch ms); cleared by a flush it takes. */
  private outOfMemoryAt: number | undefined;

  constructor(options: IngestOptions) {
    this.options = withDefaults(
      {
        maxEntryBytes: 1024 * 1024,
        enqueueTimeoutMs: 1000,
        maxFlushEntries: 1000,
        connected: () => true,
        maxJobEntries: 100,
        maxJobBytes: 8 * 1024 * 1024,
        gatherMs: 100,
        trimIntervalMs: 100,
        lingerMs: 0,
        busyWindowMs: 10,
        dropReportIntervalMs: 10_000,
        now: () => new Date(),
      },
      options,
    );
    if (options.shards.length === 0) throw new RangeError('Ingest: at least one shard');
    const { enqueueTimeoutMs, maxFlushEntries, maxJobEntries, lingerMs, busyWindowMs } =
      this.options;
    this.commit = new GroupCommit({
      write: (batch) => this.write(batch),
      writeFailed: (batch, cause) => this.writeFailed(batch, cause),
      expired: (call) => notConfirmed(call, `Redis did not answer within ${enqueueTimeoutMs} ms`),
      deadlineMs: enqueueTimeoutMs,
      maxBatch: maxFlushEntries,
      fullBatch: maxJobEntries,
      lingerMs,
      busyWindowMs,
    });
    this.rotation = new ShardRotation(
      options.shards.map((shard) => ({
        ...shard,
        writer: new JobWriter({
          queue: shard.queue,
          appender: shard.appender,
          logger: this.options.logger,
          maxJobEntries,
          maxJobBytes: this.options.maxJobBytes,
          gatherMs: this.options.gatherMs,
        }),
      })),
    );
    this.keeper = new BoundKeeper({
      bounds: options.shards.map((shard) => shard.bound),
      dropped: this.options.metrics.dropped,
      logger: this.options.logger,
      trimIntervalMs: this.options.trimIntervalMs,
      dropReportIntervalMs: this.options.dropReportIntervalMs,
    });
  }

  /** Queues one validated input; resolves once Redis holds the job (or it was filtered). */
  log(input: LogInput): Promise<LogReply> {
    if (this.closed) {
      return Promise.reject(
        new QueueUnavailableError('server shutting down, entry not queued: retry'),
      );
    }
    const shaped = shapeEntry(input, this.options.now(), this.options.maxEntryBytes);
    this.options.metrics.received.inc({ level: shaped.entry.level });
    return this.commit.submit(shaped);
  }

  /**
   * When Redis last refused a flush for lack of memory (epoch ms), unless a
   * later flush went in: `/health` reports the queue full. Redis's own
   * `used_memory` drops below `maxmemory` as soon as the refused command's
   * buffer is freed, so its figures alone miss the refusals.
   */
  get lastOutOfMemory(): number | undefined {
    return this.outOfMemoryAt;
  }

  /** Refuses further calls and resolves once every accepted one has been answered. */
  async close(): Promise<void> {
    this.closed = true;
    await this.commit.drained();
    await this.keeper.close();
  }

  /** One flush: filter by level, then write the rest into the next shard's jobs. */
  private async write(batch: Call[]): Promise<void> {
    const { metrics } = this.options;
    const accepted = await filterByLevel(batch, this.options.levels, this.filtered);
    if (accepted.length === 0) return;
    // Without an offline queue, ioredis refuses at once what it cannot send:
    // only with a ready connection can the job reach Redis.
    const sent = this.options.connected();
    for (const call of accepted) call.sent = sent;
    const shard = this.rotation.next();
    const ids = await shard.writer.write(accepted);
    this.outOfMemoryAt = undefined;
    accepted.forEach((call, index) => {
      const id = ids[index] ?? '';
      metrics.queued.inc({ level: call.item.entry.level });
      if (call.item.sanitized) metrics.sanitized.inc();
      resolveCall(
        call,
        call.item.sanitized
          ? { status: 'ok', queued: true, id, sanitized: true }
          : { status: 'ok', queued: true, id },
      );
    });
    this.keeper.written(shard.bound);
  }

  private readonly filtered = (call: Call, minimum: Level): void => {
    this.options.metrics.filtered.inc({ level: call.item.entry.level });
    resolveCall(call, {
      status: 'ok',
      queued: false,
      reason: `below ${call.item.entry.component}'s level ${minimum}`,
    });
  };

  private writeFailed(batch: Call[], cause: unknown): void {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const full = isOutOfMemory(cause);
    if (full) this.outOfMemoryAt = Date.now();
    this.options.logger.error(
      { err: reason, entries: batch.length },
      full ? 'ingest: Redis is out of memory, flush refused' : 'ingest: Redis refused a flush',
    );
    for (const call of batch) {
      rejectCall(
        call,
        full
          ? // Redis refused the whole MULTI: the entry is certainly not queued.
            new QueueUnavailableError('queue full (Redis out of memory), entry not queued', {
              maybeQueued: false,
            })
          : notConfirmed(call, reason),
      );
    }
  }
}

/**
 * The error of a call Redis did not confirm, saying honestly whether its
 * entry may be in Redis anyway: once the job was written to the connection,
 * Redis may still run it.
 */
function notConfirmed(call: Call, reason: string): QueueUnavailableError {
  const maybeQueued = call.sent;
  return maybeQueued
    ? new QueueUnavailableError(`queue did not confirm, entry may have been queued: ${reason}`, {
        maybeQueued,
      })
    : new QueueUnavailableError(`queue unavailable, entry not queued: ${reason}`, {
        maybeQueued,
      });
}
