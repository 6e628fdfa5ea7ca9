import { Job, type JobsOptions, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import { type RedisConnection, redisErrorCode, reloadScripts } from '../redis/redis-connection.js';
import type { LogEntry } from './log-entry.js';

/**
 * The job layout every Godot process agrees on (godot.md, Queue and delivery).
 * A BullMQ job holds the entries of one flush, oldest first, so that Redis
 * work is shared under load; its *name* says how many of them are still to
 * be delivered and their serialized size, `"<n> entries (<b> bytes)"`. The
 * bound removes the oldest entries first, so when it drops part of a job it
 * only lowers those numbers: the entries kept are always the last `n` of
 * `entries`. Readers go through {@link jobEntries}; the bound script parses
 * the name (queue-bound.ts).
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

/** What a job of `count` entries of `bytes` serialized bytes is named. */
export function logJobName(count: number, bytes: number): string {
  return `${count} ${count === 1 ? 'entry' : 'entries'} (${bytes} bytes)`;
}

/** The number of entries a job's name says are kept, if it is one of ours. */
export function keptEntryCount(name: string): number | undefined {
  const match = /^(\d+) entr(?:y|ies)\b/.exec(name);
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
 * (`entries`), their serialized `bytes`, and the number of `jobs` it expects
 * in the wait (or paused) list. It lives
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
  /** Serialized bytes of each job's entries, when the caller knows them. @default measured */
  sizes?: readonly number[],
): Promise<string[]> {
  const client = await queue.client;
  const multi = client.multi();
  let entries = 0;
  let bytes = 0;
  jobs.forEach((data, index) => {
    const size = sizes?.[index] ?? Buffer.byteLength(JSON.stringify(data.entries));
    entries += data.entries.length;
    bytes += size;
    void new Job(queue, logJobName(data.entries.length, size), data, opts).addJob(multi);
  });
  const account = boundAccountKey(queue);
  // BullMQ's transaction is ioredis's own, with `runCommand` added; its type
  // lists only what BullMQ itself uses.
  (multi as unknown as ChainableCommander)
    .hincrby(account, 'entries', entries)
    .hincrby(account, 'bytes', bytes)
    .hincrby(account, 'jobs', jobs.length);
  const results = await multi.exec();
  if (results === null) throw new Error('Redis discarded the transaction');
  // A script ioredis believed loaded but the node does not have (see
  // `isNoScript`) did not run: load the scripts again, then add those jobs
  // alone. Their entries are already in the account, raised by the first
  // transaction.
  const unloaded = jobs.flatMap((_, index) => (isNoScript(results[index]?.[0]) ? [index] : []));
  if (unloaded.length > 0) {
    await reloadScripts(client as unknown as RedisConnection);
    const again = client.multi();
    for (const index of unloaded) {
      const data = jobs[index] as LogJobData;
      const size = sizes?.[index] ?? Buffer.byteLength(JSON.stringify(data.entries));
      void new Job(queue, logJobName(data.entries.length, size), data, opts).addJob(again);
    }
    const retried = await again.exec();
    if (retried === null) throw new Error('Redis discarded the transaction');
    unloaded.forEach((index, position) => {
      results[index] = retried[position] ?? [new Error('no reply'), null];
    });
  }
  return jobs.map((_, index) => {
    const [error, id] = results[index] ?? [];
    if (error) throw error;
    // BullMQ's add script answers a negative code instead of an id when it refuses.
    if (typeof id === 'number' && id < 0) throw new Error(`BullMQ refused the job (code ${id})`);
    return String(id);
  });
}

/**
 * Redis did not run a script because it does not have it (`NOSCRIPT`, the
 * code that starts a Redis error reply). ioredis remembers per socket which
 * scripts it sent, and from then on sends the SHA alone. A transaction that
 * a node refused whole (EXECABORT: CLUSTERDOWN or LOADING while a master
 * restarts) still marks its scripts as sent, and inside a transaction
 * ioredis never unmarks them: every later add on that socket would fail.
 * Outside a transaction ioredis recovers by itself.
 */
function isNoScript(error: unknown): boolean {
  return redisErrorCode(error) === 'NOSCRIPT';
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
