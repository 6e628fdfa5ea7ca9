import { Job, type JobsOptions, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { LogEntry } from './log-entry.js';

/**
 * The job layout every Godot process agrees on (godot.md, Queue and delivery).
 * A BullMQ job holds the entries of one flush, oldest first, so that Redis
 * work is shared under load; its *name* says how many of them are still to
 * be delivered, `"<n> entries"`. The bound removes the oldest entries first,
 * so when it drops part of a job it only lowers that number: the entries
 * kept are always the last `n` of `entries`. Readers go through
 * {@link jobEntries}; the bound script parses the name (queue-bound.ts).
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

/** What a job of `count` entries is named. */
export function logJobName(count: number): string {
  return count === 1 ? '1 entry' : `${count} entries`;
}

/** The number of entries a job's name says are kept, if it is one of ours. */
export function keptEntryCount(name: string): number | undefined {
  const match = /^(\d+) entr(?:y|ies)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * The entries of a job still to deliver. Jobs written by Godot 0.1 held one
 * entry as their data; they are read as a job of one.
 */
export function jobEntries(job: { name: string; data: unknown }): unknown[] {
  const data = job.data as Partial<LogJobData> | null;
  if (data === null || typeof data !== 'object' || !Array.isArray(data.entries)) return [job.data];
  const kept = keptEntryCount(job.name) ?? data.entries.length;
  return kept >= data.entries.length
    ? data.entries
    : data.entries.slice(data.entries.length - kept);
}

/**
 * The Redis hash in which the bound keeps its account of waiting entries
 * (`entries`) and of the wait list's length it expects (`jobs`). It lives
 * under the queue's prefix, so on a cluster it shares the queue's slot.
 */
export function boundAccountKey(queue: Pick<Queue, 'toKey'>): string {
  return queue.toKey('godot-bound');
}

/**
 * Adds jobs and accounts for their entries in one MULTI, so that the bound's
 * count can never miss an entry Redis accepted nor count one it refused.
 * Resolves with the job ids, in order.
 */
export async function addLogJobs(
  queue: Queue,
  jobs: readonly LogJobData[],
  opts: JobsOptions,
): Promise<string[]> {
  const client = await queue.client;
  const multi = client.multi();
  let entries = 0;
  for (const data of jobs) {
    entries += data.entries.length;
    void new Job(queue, logJobName(data.entries.length), data, opts).addJob(multi);
  }
  const account = boundAccountKey(queue);
  // BullMQ's transaction is ioredis's own, with `runCommand` added; its type
  // lists only what BullMQ itself uses.
  (multi as unknown as ChainableCommander)
    .hincrby(account, 'entries', entries)
    .hincrby(account, 'jobs', jobs.length);
  const results = await multi.exec();
  if (results === null) throw new Error('Redis discarded the transaction');
  return jobs.map((_, index) => {
    const [error, id] = results[index] ?? [];
    if (error) throw error;
    // BullMQ's add script answers a negative code instead of an id when it refuses.
    if (typeof id === 'number' && id < 0) throw new Error(`BullMQ refused the job (code ${id})`);
    return String(id);
  });
}

/** Completed jobs are removed at once, keeping a short tail for the dashboard; failed ones are kept, bounded. */
export const LOG_JOB_OPTIONS = {
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 10_000 },
} as const satisfies JobsOptions;

/**
 * BullMQ's events stream, which nothing in Godot reads: kept as short as
 * Redis allows (an approximate trim keeps about one stream node). Every
 * process that opens the queue must pass the same, as BullMQ stores it in
 * the queue's meta hash and the last opener wins.
 */
export const LOG_QUEUE_STREAMS = { events: { maxLen: 100 } } as const;
