import {
  isAtLeast,
  type LogEntry,
  type Logger,
  type LogInput,
  replaceNulInJson,
  withDefaults,
} from '@godot/shared';
import type { JobsOptions, Queue } from 'bullmq';
import { EntryRefusedError, QueueUnavailableError } from './ingest-errors.js';
import type { LevelStore } from './level-store.js';
import type { QueueBound } from './queue-bound.js';
import type { ServerMetrics } from './server-metrics.js';

/** Reply of `logger_log` (godot.md). */
export type LogReply =
  | { status: 'ok'; queued: true; id: string; sanitized?: true }
  | { status: 'ok'; queued: false; reason: string };

/** Options of `Ingest`. */
export interface IngestOptions {
  queue: Queue<LogEntry>;
  levels: LevelStore;
  bound: QueueBound;
  metrics: ServerMetrics;
  logger: Logger;
  /** Largest serialized entry. @default 1048576 */
  maxEntryBytes?: number;
  /** Time Redis has to accept a flush before callers get an error (REQ-PERF-006). @default 1000 */
  enqueueTimeoutMs?: number;
  /** Most entries per Redis round trip. @default 1000 */
  maxFlushEntries?: number;
  /** Least time between two "dropped" lines in our log. @default 10000 */
  dropReportIntervalMs?: number;
  /** Clock for `created_at`. @default () => new Date() */
  now?: () => Date;
}

interface Pending {
  entry: LogEntry;
  sanitized: boolean;
  resolve: (reply: LogReply) => void;
  reject: (error: Error) => void;
  /** Fails the call if Redis has not confirmed it by its deadline. */
  timer: NodeJS.Timeout;
  /** The job was written to Redis's connection: a late failure may still have queued it. */
  sent: boolean;
  settled: boolean;
}

/** Completed jobs are removed, keeping a short tail for the dashboard; failed ones are kept, bounded. */
const JOB_OPTIONS: JobsOptions = {
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 10_000 },
};

/**
 * The `logger_log` data path: shape the entry, then queue it. Calls that
 * arrive while a flush is in flight wait and go together in the next one
 * (group commit), so under load many entries share each Redis round trip:
 * one HMGET for levels, one `addBulk`, one bound check.
 */
export class Ingest {
  private readonly options: Required<IngestOptions>;
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private trimming: Promise<void> | undefined;
  private trimAgain = false;
  private droppedSinceReport = 0;
  private lastDropReport = 0;

  constructor(options: IngestOptions) {
    this.options = withDefaults(
      {
        maxEntryBytes: 1024 * 1024,
        enqueueTimeoutMs: 1000,
        maxFlushEntries: 1000,
        dropReportIntervalMs: 10_000,
        now: () => new Date(),
      },
      options,
    );
  }

  /** Queues one validated input; resolves once Redis holds the job (or it was filtered). */
  log(input: LogInput): Promise<LogReply> {
    if (this.closed) {
      return Promise.reject(
        new QueueUnavailableError('server shutting down, entry not queued: retry'),
      );
    }
    const { entry, sanitized } = this.shape(input);
    this.options.metrics.received.inc({ level: entry.level });
    return new Promise<LogReply>((resolve, reject) => {
      const call: Pending = {
        entry,
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
      this.flushing ??= this.drain();
    });
  }

  /** Refuses further calls and resolves once every accepted one has been answered. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.trimming;
    this.reportDropped();
  }

  private shape(input: LogInput): { entry: LogEntry; sanitized: boolean } {
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
      ? { entry: JSON.parse(clean.json) as LogEntry, sanitized: true }
      : { entry, sanitized: false };
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
      this.options.logger.error(
        { err: reason, entries: batch.length },
        'ingest: Redis refused a flush',
      );
      for (const call of batch) this.fail(call, reason);
    } finally {
      clearTimeout(timer);
    }
  }

  private async enqueue(batch: Pending[]): Promise<void> {
    const { metrics, levels, queue } = this.options;
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
    for (const call of accepted) call.sent = true;
    const jobs = await queue.addBulk(
      accepted.map((call) => ({ name: 'log', data: call.entry, opts: JOB_OPTIONS })),
    );
    accepted.forEach((call, index) => {
      metrics.queued.inc({ level: call.entry.level });
      if (call.sanitized) metrics.sanitized.inc();
      const id = String(jobs[index]?.id);
      this.succeed(
        call,
        call.sanitized
          ? { status: 'ok', queued: true, id, sanitized: true }
          : { status: 'ok', queued: true, id },
      );
    });
    this.scheduleTrim();
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
    // Without an offline queue, a command refused for lack of a connection was never sent.
    const maybeQueued = call.sent && !reason.includes("isn't writeable");
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
   * one check at a time, and one more if flushes happened meanwhile. The
   * script is atomic, so checks from several servers cannot drop twice; if
   * Redis fails now, the next check trims what this one could not.
   */
  private scheduleTrim(): void {
    if (this.trimming) {
      this.trimAgain = true;
      return;
    }
    this.trimming = (async () => {
      do {
        this.trimAgain = false;
        try {
          this.countDropped(await this.options.bound.trim());
        } catch (error) {
          this.options.logger.warn(
            { err: String(error) },
            'ingest: bound check failed, retried on next flush',
          );
        }
      } while (this.trimAgain);
    })().finally(() => {
      this.trimming = undefined;
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
      { dropped: this.droppedSinceReport, max_queue_size: this.options.bound.max },
      'queue full: oldest waiting entries dropped',
    );
    this.droppedSinceReport = 0;
    this.lastDropReport = Date.now();
  }
}
