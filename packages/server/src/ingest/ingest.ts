import {
  addLogJobs,
  isAtLeast,
  LOG_JOB_OPTIONS,
  type LogEntry,
  type Logger,
  type LogJobData,
  redisErrorCode,
  replaceNulInJson,
  withDefaults,
} from '@godot/shared';
import type { Queue } from 'bullmq';
import type { LogInput } from '../mcp/tool-inputs.js';
import type { ServerMetrics } from '../ops/server-metrics.js';
import { EntryRefusedError, QueueUnavailableError } from './ingest-errors.js';
import type { LevelStore } from './level-store.js';
import type { QueueBound } from './queue-bound.js';

/** Reply of `logger_log` (godot.md). */
export type LogReply =
  | { status: 'ok'; queued: true; id: string; sanitized?: true }
  | { status: 'ok'; queued: false; reason: string };

/** One shard's queue and the bound that keeps its share of MAX_QUEUE_SIZE. */
export interface IngestShard {
  queue: Queue<LogJobData>;
  bound: QueueBound;
}

/** Options of `Ingest`. */
export interface IngestOptions {
  /** The queue shards; flushes go to each in turn (README, "Scaling out"). */
  shards: readonly IngestShard[];
  levels: LevelStore;
  metrics: ServerMetrics;
  logger: Logger;
  /** Largest serialized entry. @default 1048576 */
  maxEntryBytes?: number;
  /** Time Redis has to accept a flush before callers get an error (REQ-PERF-006). @default 1000 */
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
  /** Least time between two bound checks of this server; one always follows the last flush. @default 100 */
  trimIntervalMs?: number;
  /**
   * How long a flush waits for more calls while calls keep coming (the last
   * flush started less than `busyWindowMs` ago): entries then share a job
   * instead of each paying for one (godot.md allows up to 2 ms). A call that
   * arrives after a quiet spell never waits. 0 turns it off. @default 2
   */
  lingerMs?: number;
  /** See `lingerMs`. @default 10 */
  busyWindowMs?: number;
  /** Least time between two "dropped" lines in our log. @default 10000 */
  dropReportIntervalMs?: number;
  /** Clock for `created_at`. @default () => new Date() */
  now?: () => Date;
}

interface Pending {
  entry: LogEntry;
  /** Serialized size in bytes. */
  bytes: number;
  sanitized: boolean;
  resolve: (reply: LogReply) => void;
  reject: (error: Error) => void;
  /** Fails the call if Redis has not confirmed it by its deadline. */
  timer: NodeJS.Timeout;
  /** The job was written to Redis's connection: a late failure may still have queued it. */
  sent: boolean;
  settled: boolean;
}

/**
 * The `logger_log` data path: shape the entry, then queue it. A flush starts
 * once the event loop has read every frame that arrived together
 * (`setImmediate`), and calls that arrive while it is in flight go together
 * in the next one (group commit). A flush is one Redis round trip: the
 * entries become one job (or a few, see `maxJobEntries`) added in one MULTI
 * that also accounts for them in the bound; levels come from the cache.
 * With several queue shards, each flush goes to the next shard in turn.
 * The bound is checked off the reply path, at most every `trimIntervalMs`,
 * on the shards written since the last check.
 */
export class Ingest {
  private readonly options: Required<IngestOptions>;
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private scheduled = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lastFlush = Number.NEGATIVE_INFINITY;
  /** When Redis refused the last flush for lack of memory (epoch ms); cleared by a flush it takes. */
  private outOfMemoryAt: number | undefined;
  private trimming: Promise<void> | undefined;
  private trimAgain = false;
  private trimTimer: NodeJS.Timeout | undefined;
  private lastTrim = 0;
  /** Shards written since their last bound check. */
  private readonly untrimmed = new Set<IngestShard>();
  private nextShard = 0;
  private droppedSinceReport = 0;
  private lastDropReport = 0;

  constructor(options: IngestOptions) {
    this.options = withDefaults(
      {
        maxEntryBytes: 1024 * 1024,
        enqueueTimeoutMs: 1000,
        maxFlushEntries: 1000,
        connected: () => true,
        maxJobEntries: 100,
        maxJobBytes: 8 * 1024 * 1024,
        trimIntervalMs: 100,
        lingerMs: 2,
        busyWindowMs: 10,
        dropReportIntervalMs: 10_000,
        now: () => new Date(),
      },
      options,
    );
    if (options.shards.length === 0) throw new RangeError('Ingest: at least one shard');
  }

  /** Queues one validated input; resolves once Redis holds the job (or it was filtered). */
  log(input: LogInput): Promise<LogReply> {
    if (this.closed) {
      return Promise.reject(
        new QueueUnavailableError('server shutting down, entry not queued: retry'),
      );
    }
    const { entry, bytes, sanitized } = this.shape(input);
    this.options.metrics.received.inc({ level: entry.level });
    return new Promise<LogReply>((resolve, reject) => {
      const call: Pending = {
        entry,
        bytes,
        sanitized,
        resolve,
        reject,
        sent: false,
        settled: false,
        timer: undefined as never,
      };
      // The deadline runs from arrival, whatever flushes are ahead (REQ-PERF-006).
      call.timer = setTimeout(() => this.expire(call), this.options.enqueueTimeoutMs);
      this.pending.push(call);
      this.schedule();
    });
  }

  /**
   * Starts a flush after the frames read in this turn of the event loop,
   * unless one runs; while calls keep coming, `lingerMs` later (or as soon
   * as a job's worth is waiting).
   */
  private schedule(): void {
    if (this.lingerTimer && this.pending.length >= this.options.maxJobEntries) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      this.scheduled = false;
    }
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      this.lingerTimer = undefined;
      this.lastFlush = performance.now();
      this.flushing ??= this.drain();
    };
    const { lingerMs, busyWindowMs, maxJobEntries } = this.options;
    const busy = performance.now() - this.lastFlush < busyWindowMs;
    if (lingerMs > 0 && busy && this.pending.length < maxJobEntries) {
      this.lingerTimer = setTimeout(start, lingerMs);
    } else setImmediate(start);
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
    while (this.flushing || this.scheduled || this.pending.length > 0) {
      if (this.flushing) await this.flushing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.trimTimer) {
      // The check that would have followed the last flush runs now.
      clearTimeout(this.trimTimer);
      this.trimTimer = undefined;
      this.lastTrim = 0;
      this.scheduleTrim();
    }
    while (this.trimming) await this.trimming;
    this.reportDropped();
  }

  private shape(input: LogInput): { entry: LogEntry; bytes: number; sanitized: boolean } {
    const entry: LogEntry = {
      component: input.component,
      level: input.level,
      message: input.message,
      trace_id: input.trace_id ?? null,
      data: input.data ?? null,
      created_at: this.options.now().toISOString(),
    };
    let json: string;
    try {
      json = JSON.stringify(entry);
    } catch {
      throw new EntryRefusedError(
        'data',
        'cannot be serialized (nested too deeply)',
        'unserializable',
      );
    }
    const bytes = Buffer.byteLength(json);
    if (bytes > this.options.maxEntryBytes) {
      const field = Buffer.byteLength(entry.message) >= bytes / 2 ? 'message' : 'data';
      throw new EntryRefusedError(
        field,
        `the entry is ${bytes} bytes serialized, above MAX_ENTRY_BYTES (${this.options.maxEntryBytes})`,
        'too_large',
      );
    }
    // NUL cannot be stored by PostgreSQL; replace rather than refuse (godot.md).
    const clean = replaceNulInJson(json);
    return clean.changed
      ? { entry: JSON.parse(clean.json) as LogEntry, bytes, sanitized: true }
      : { entry, bytes, sanitized: false };
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.options.maxFlushEntries);
        await this.flush(batch);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    // Calls fail at their own deadline; this only keeps a stuck flush from
    // holding up the ones behind it.
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.enqueueTimeoutMs);
    });
    try {
      await Promise.race([this.enqueue(batch), stuck]);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const full = isOutOfMemory(cause);
      if (full) this.outOfMemoryAt = Date.now();
      this.options.logger.error(
        { err: reason, entries: batch.length },
        full ? 'ingest: Redis is out of memory, flush refused' : 'ingest: Redis refused a flush',
      );
      for (const call of batch) {
        if (full) this.refuse(call, 'queue full (Redis out of memory), entry not queued');
        else this.fail(call, reason);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async enqueue(batch: Pending[]): Promise<void> {
    const { metrics, levels, shards } = this.options;
    const components = [...new Set(batch.map((call) => call.entry.component))];
    const minimums = new Map(
      (await levels.minimumLevels(components)).map((level, index) => [components[index], level]),
    );
    const accepted: Pending[] = [];
    for (const call of batch) {
      if (call.settled) continue; // Its deadline passed while levels were read.
      const minimum = minimums.get(call.entry.component) ?? 'TRACE';
      if (isAtLeast(call.entry.level, minimum)) accepted.push(call);
      else {
        metrics.filtered.inc({ level: call.entry.level });
        this.succeed(call, {
          status: 'ok',
          queued: false,
          reason: `below ${call.entry.component}'s level ${minimum}`,
        });
      }
    }
    if (accepted.length === 0) return;
    // Without an offline queue, ioredis refuses at once what it cannot send:
    // only with a ready connection can the job reach Redis.
    const sent = this.options.connected();
    for (const call of accepted) call.sent = sent;
    const jobs = this.group(accepted);
    const shard = shards[this.nextShard++ % shards.length] as IngestShard;
    const ids = await addLogJobs(
      shard.queue,
      jobs.map((calls) => ({ entries: calls.map((call) => call.entry) })),
      LOG_JOB_OPTIONS,
      jobs.map((calls) => calls.reduce((sum, call) => sum + call.bytes, 0)),
    );
    this.outOfMemoryAt = undefined;
    jobs.forEach((calls, index) => {
      const id = ids[index] ?? '';
      for (const call of calls) {
        metrics.queued.inc({ level: call.entry.level });
        if (call.sanitized) metrics.sanitized.inc();
        this.succeed(
          call,
          call.sanitized
            ? { status: 'ok', queued: true, id, sanitized: true }
            : { status: 'ok', queued: true, id },
        );
      }
    });
    this.untrimmed.add(shard);
    this.scheduleTrim();
  }

  /** Splits a flush into jobs that each fit one Dewey batch (entries and bytes). */
  private group(calls: Pending[]): Pending[][] {
    const { maxJobEntries, maxJobBytes } = this.options;
    const jobs: Pending[][] = [];
    let job: Pending[] = [];
    let bytes = 0;
    for (const call of calls) {
      if (job.length > 0 && (job.length >= maxJobEntries || bytes + call.bytes > maxJobBytes)) {
        jobs.push(job);
        job = [];
        bytes = 0;
      }
      job.push(call);
      bytes += call.bytes;
    }
    if (job.length > 0) jobs.push(job);
    return jobs;
  }

  /** Fails a call whose entry Redis certainly did not take, with `text` as the whole message. */
  private refuse(call: Pending, text: string): void {
    if (call.settled) return;
    call.settled = true;
    clearTimeout(call.timer);
    call.reject(new QueueUnavailableError(text, { maybeQueued: false }));
  }

  private succeed(call: Pending, reply: LogReply): void {
    if (call.settled) return;
    call.settled = true;
    clearTimeout(call.timer);
    call.resolve(reply);
  }

  /**
   * Fails a call, saying honestly whether its entry may be in Redis anyway:
   * once the job was written to the connection, Redis may still run it.
   */
  private fail(call: Pending, reason: string): void {
    if (call.settled) return;
    call.settled = true;
    clearTimeout(call.timer);
    const maybeQueued = call.sent;
    call.reject(
      maybeQueued
        ? new QueueUnavailableError(
            `queue did not confirm, entry may have been queued: ${reason}`,
            { maybeQueued },
          )
        : new QueueUnavailableError(`queue unavailable, entry not queued: ${reason}`, {
            maybeQueued,
          }),
    );
  }

  private expire(call: Pending): void {
    const waiting = this.pending.indexOf(call);
    if (waiting >= 0) this.pending.splice(waiting, 1);
    this.fail(call, `Redis did not answer within ${this.options.enqueueTimeoutMs} ms`);
  }

  /**
   * Enforces the bound after the entries are answered, off the reply path:
   * one check at a time, at most one per `trimIntervalMs`, and always one
   * after the last flush. The script is atomic, so checks from several
   * servers cannot drop twice; if Redis fails now, the next check trims what
   * this one could not.
   */
  private scheduleTrim(): void {
    if (this.trimming || this.trimTimer) {
      this.trimAgain = true;
      return;
    }
    const wait = this.lastTrim + this.options.trimIntervalMs - Date.now();
    if (wait > 0) {
      this.trimTimer = setTimeout(() => {
        this.trimTimer = undefined;
        this.scheduleTrim();
      }, wait);
      return;
    }
    this.lastTrim = Date.now();
    this.trimAgain = false;
    const shards = [...this.untrimmed];
    this.untrimmed.clear();
    this.trimming = Promise.allSettled(shards.map((shard) => shard.bound.trim()))
      .then((results) => {
        let removed = 0;
        results.forEach((result, index) => {
          if (result.status === 'fulfilled') removed += result.value;
          else {
            const shard = shards[index] as IngestShard;
            this.untrimmed.add(shard); // checked after the next flush
            this.options.logger.warn(
              { err: String(result.reason), queue: shard.queue.qualifiedName },
              'ingest: bound check failed, retried on next flush',
            );
          }
        });
        this.countDropped(removed);
      })
      .finally(() => {
        this.trimming = undefined;
        if (this.trimAgain) this.scheduleTrim();
      });
  }

  private countDropped(removed: number): void {
    if (removed === 0) return;
    this.options.metrics.dropped.inc(removed);
    this.droppedSinceReport += removed;
    if (Date.now() - this.lastDropReport >= this.options.dropReportIntervalMs) this.reportDropped();
  }

  private reportDropped(): void {
    if (this.droppedSinceReport === 0) return;
    this.options.logger.warn(
      {
        dropped: this.droppedSinceReport,
        max_queue_size_per_shard: this.options.shards[0]?.bound.max,
        shards: this.options.shards.length,
      },
      'queue full: oldest waiting entries dropped',
    );
    this.droppedSinceReport = 0;
    this.lastDropReport = Date.now();
  }
}

/**
 * Redis refused the write for lack of memory (maxmemory with noeviction).
 * Redis error replies start with their code (RESP): `OOM …`; inside a MULTI
 * the refusal of a queued command aborts the transaction, and ioredis keeps
 * the commands' own errors in `previousErrors`.
 */
function isOutOfMemory(error: unknown): boolean {
  if (redisErrorCode(error) === 'OOM') return true;
  const previous = (error as { previousErrors?: unknown[] } | null)?.previousErrors;
  return Array.isArray(previous) && previous.some((inner) => redisErrorCode(inner) === 'OOM');
}
