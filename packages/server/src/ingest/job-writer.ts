import {
  acceptedMicros,
  addLogJobs,
  type JobAppender,
  LOG_JOB_OPTIONS,
  type Logger,
  type LogJobData,
  promoteJob,
  type RecentIndex,
} from '@godot/shared';
import type { JobsOptions, Queue } from 'bullmq';
import { recentIndex } from './recent-index.js';
import type { ShapedEntry } from './shape-entry.js';
import { splitIntoJobs } from './split-into-jobs.js';

/** Options of `JobWriter`. */
export interface JobWriterOptions {
  /** The shard's queue. */
  queue: Queue<LogJobData>;
  /** Appends to a job that still waits out its delay, on the same Redis as `queue`. */
  appender: JobAppender;
  logger: Logger;
  /** Most entries per job, so that a job always fits one Dewey batch (BATCH_SIZE). @default 100 */
  maxJobEntries?: number;
  /** Most serialized bytes per job (BATCH_MAX_BYTES); a larger entry still goes, alone. @default 8388608 */
  maxJobBytes?: number;
  /**
   * How long a new job gathers the entries of later flushes before a worker
   * may take it (BATCH_TIMEOUT_MS): the time a Dewey batch waits for its
   * entries anyway. 0: every flush is a job of its own. @default 100
   */
  gatherMs?: number;
}

/** The job this writer is filling: its id, and what it holds. */
interface OpenJob {
  id: string;
  entries: number;
  bytes: number;
}

/** One entry to write: the calls of a flush carry one each. */
interface Staged {
  readonly item: ShapedEntry;
}

/**
 * Writes the entries of each flush of one shard into BullMQ jobs that are
 * each one Dewey batch (docs/data-path.md#job). A job is added with a delay
 * of `gatherMs`, and the entries of the flushes that follow are appended to
 * it while it waits (`JobAppender`); once it holds `maxJobEntries` entries it
 * is promoted at once, otherwise a worker takes it when its delay ends. So
 * a flush costs one cheap Redis call whatever its size, and BullMQ's cost
 * per job (add, fetch, finish) is paid once per batch, not once per flush.
 *
 * Every write is durable when it resolves: the append and the add are each
 * atomic in Redis, with the bound's account. A server that dies leaves its
 * open job delayed; a worker takes it when its delay ends.
 *
 * Not safe for concurrent writes: the ingest's group commit runs one flush
 * at a time.
 */
export class JobWriter {
  private readonly queue: Queue<LogJobData>;
  private readonly appender: JobAppender;
  private readonly logger: Logger;
  private readonly maxJobEntries: number;
  private readonly maxJobBytes: number;
  private readonly gatherMs: number;
  private open: OpenJob | undefined;

  constructor(options: JobWriterOptions) {
    this.queue = options.queue;
    this.appender = options.appender;
    this.logger = options.logger;
    this.maxJobEntries = options.maxJobEntries ?? 100;
    this.maxJobBytes = options.maxJobBytes ?? 8 * 1024 * 1024;
    this.gatherMs = options.gatherMs ?? 100;
  }

  /** Writes the entries of one flush, oldest first; resolves with each one's job id. */
  async write(staged: readonly Staged[]): Promise<string[]> {
    const ids: string[] = [];
    const appended = await this.appendToOpen(staged);
    for (let i = 0; i < appended; i++) ids.push((this.open as OpenJob).id);
    // Full, or too full for the next entry: let a worker take it now.
    if (this.open && (appended < staged.length || this.isFull(this.open))) this.close();
    if (appended === staged.length) return ids;

    const jobs = splitIntoJobs(staged.slice(appended), this.maxJobEntries, this.maxJobBytes);
    const sizes = jobs.map((job) => job.reduce((sum, one) => sum + one.item.bytes, 0));
    // Full jobs go to the wait list at once; the last, if there is room in
    // it, waits for the next flushes.
    const last = jobs.length - 1;
    const gathers = this.gatherMs > 0 && (jobs[last]?.length ?? 0) < this.maxJobEntries;
    const opts: JobsOptions[] = jobs.map((_, index) =>
      index === last && gathers ? { ...LOG_JOB_OPTIONS, delay: this.gatherMs } : LOG_JOB_OPTIONS,
    );
    // The same entries join the shard's recent window, as one record, in the same MULTI.
    const rest = staged.slice(appended);
    const recent = {
      record: {
        entriesJson: `[${rest.map((one) => one.item.json).join(',')}]`,
        count: rest.length,
        bytes: sizes.reduce((sum, size) => sum + size, 0),
        acceptedUs: acceptedMicros(),
        index: this.indexOf(rest),
      },
      bounds: this.appender.recent,
      onFailure: this.appender.onRecentFailure,
    };
    const added = await addLogJobs(
      this.queue,
      jobs.map((job) => ({ entries: job.map((one) => one.item.entry) })),
      opts,
      sizes,
      this.appender.recent.maxBytes > 0 ? recent : undefined,
    );
    jobs.forEach((job, index) => {
      for (let i = 0; i < job.length; i++) ids.push(added[index] ?? '');
    });
    if (gathers) {
      this.open = {
        id: added[last] ?? '',
        entries: jobs[last]?.length ?? 0,
        bytes: sizes[last] ?? 0,
      };
    }
    return ids;
  }

  /**
   * Appends as many of `staged` as fit to the open job, from the first;
   * resolves with how many. When the job is no longer delayed, forgets it
   * and appends none.
   */
  private async appendToOpen(staged: readonly Staged[]): Promise<number> {
    const open = this.open;
    if (!open) return 0;
    let count = 0;
    let bytes = 0;
    let json = '';
    for (const one of staged) {
      if (open.entries + count >= this.maxJobEntries) break;
      if (open.bytes + bytes + one.item.bytes > this.maxJobBytes) break;
      json = count === 0 ? one.item.json : `${json},${one.item.json}`;
      count += 1;
      bytes += one.item.bytes;
    }
    if (count === 0) return 0;
    const index = this.indexOf(staged.slice(0, count));
    if (!(await this.appender.append(open.id, `[${json}]`, count, bytes, index))) {
      this.open = undefined;
      return 0;
    }
    open.entries += count;
    open.bytes += bytes;
    return count;
  }

  /** The window's index of these entries; none when the window is off. */
  private indexOf(staged: readonly Staged[]): RecentIndex | undefined {
    if (this.appender.recent.maxBytes <= 0) return undefined;
    return recentIndex(staged.map((one) => one.item.entry));
  }

  private isFull(open: OpenJob): boolean {
    return open.entries >= this.maxJobEntries || open.bytes >= this.maxJobBytes;
  }

  /**
   * Stops filling the open job and lets a worker take it now rather than at
   * the end of its delay. The promotion is not needed for safety: if it
   * fails (a worker took the job meanwhile), the job is delivered anyway.
   */
  private close(): void {
    const open = this.open;
    this.open = undefined;
    if (!open) return;
    promoteJob(this.queue, open.id).catch((error: Error) => {
      this.logger.debug({ err: error.message, job: open.id }, 'ingest: job not promoted');
    });
  }
}
