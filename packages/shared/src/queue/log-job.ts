import type { JobsOptions } from 'bullmq';
import { keptEntryCount } from './bound/log-job-name.js';
import type { LogEntry } from './log-entry.js';

/**
 * The job layout every Godot process agrees on (docs/product.md, "Queue and
 * delivery"). A BullMQ job holds the entries of one flush, oldest first, so
 * that Redis work is shared under load; its *name* says how many of them are
 * still to be delivered and their serialized size (bound/log-job-name.ts).
 * The bound removes the oldest entries first, so when it drops part of a job
 * it only lowers those numbers: the entries kept are always the last `n` of
 * `entries`. Readers go through {@link jobEntries}; jobs are added with
 * `addLogJobs`.
 */
export interface LogJobData {
  /** Oldest first. */
  entries: LogEntry[];
  /**
   * Set on a dead letter: one entry Dewey refused, with Dewey's message. The
   * worker fails such a job on its first run, so it lands in the failed set
   * with that message; a retry from the dashboard delivers it normally.
   */
  rejected?: string;
}

/**
 * A job whose entries could not be read as log entries, queued as they were so
 * that the failed set shows them and they can be mended and retried: the
 * worker's dead letters of unreadable job data, and Python Godot entries that
 * cannot be mapped. The worker fails such a job on its first run.
 */
export interface UnreadableJobData {
  entries: unknown[];
  rejected?: string;
}

/**
 * The entries of a job still to deliver: its data's, then those appended to
 * it while it gathered entries (`appended`, its logs list: one JSON array a
 * flush, see append-to-job.lua), of which the name says how many of the
 * newest are kept. Jobs written by Godot 0.1 held one entry as their data;
 * they are read as a job of one. An appended line that is not a JSON array
 * is read as one value, so that the worker dead-letters it, never drops it.
 */
export function jobEntries(
  job: { name: string; data: unknown },
  appended: readonly string[] = [],
): unknown[] {
  const data = job.data as Partial<LogJobData> | null;
  if (data === null || typeof data !== 'object' || !Array.isArray(data.entries)) return [job.data];
  let entries: unknown[] = data.entries;
  if (appended.length > 0) {
    entries = [...entries];
    for (const line of appended) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = line;
      }
      if (Array.isArray(value)) for (const entry of value) entries.push(entry);
      else entries.push(value);
    }
  }
  const kept = keptEntryCount(job.name) ?? entries.length;
  return kept >= entries.length ? entries : entries.slice(entries.length - kept);
}

/**
 * Delivered jobs leave Redis at once: their entries are in Dewey, and a
 * kept job keeps its data (up to BATCH_MAX_BYTES). Failed jobs (dead
 * letters) are kept for the dashboard, the newest 1,000 for at most 7 days.
 */
export const LOG_JOB_OPTIONS = {
  removeOnComplete: true,
  removeOnFail: { count: 1000, age: 7 * 24 * 3600 },
} as const satisfies JobsOptions;

/**
 * BullMQ's events stream, which nothing in Godot reads: kept as short as
 * Redis allows (an approximate trim keeps about one stream node). Every
 * process that opens the queue must pass the same, as BullMQ stores it in
 * the queue's meta hash and the last opener wins.
 */
export const LOG_QUEUE_STREAMS = { events: { maxLen: 100 } } as const;
