import type { JobsOptions, Queue } from 'bullmq';
import { openQueueTransaction, queueConnection } from '../redis/library-internals.js';
import { redisErrorCode, reloadScripts } from '../redis/redis-connection.js';
import { boundAccountKey, recentAccountKey, recentWindowKey } from '../redis/redis-keys.js';
import { raiseBoundAccount } from './bound/bound-account.js';
import { logJobName } from './bound/log-job-name.js';
import type { LogJobData, UnreadableJobData } from './log-job.js';
import {
  addRecentRecord,
  defineRecentWindow,
  type RecentBounds,
  type RecentRecord,
  type RecentWriteFailure,
} from './recent/recent-window.js';

/** Entries that also join the shard's recent window, in the same MULTI. */
export interface RecentWrite {
  record: RecentRecord;
  bounds: RecentBounds;
  /** Told when the jobs went in but the window could not be written. @default none */
  onFailure?: RecentWriteFailure;
}

/**
 * Adds jobs and accounts for their entries in one MULTI, so that the bound's
 * count can never miss an entry Redis accepted nor count one it refused.
 * With `recent`, newly accepted entries join the shard's recent window in
 * the same MULTI (docs/data-path.md#recent-window); entries queued again
 * (a retry, a hand-back) pass none, as they are there already.
 * Resolves with the job ids, in order.
 */
export async function addLogJobs(
  queue: Queue,
  jobs: readonly (LogJobData | UnreadableJobData)[],
  /** The jobs' options: one for all, or one per job. */
  opts: JobsOptions | readonly JobsOptions[],
  /** Serialized bytes of each job's entries, when the caller knows them. @default measured */
  sizes?: readonly number[],
  recent?: RecentWrite,
): Promise<string[]> {
  const size = (index: number, data: LogJobData | UnreadableJobData) =>
    sizes?.[index] ?? Buffer.byteLength(JSON.stringify(data.entries));
  const optsOf = (index: number): JobsOptions =>
    Array.isArray(opts) ? (opts[index] as JobsOptions) : (opts as JobsOptions);
  // Defined before the MULTI opens: ioredis gives a MULTI the scripts its
  // connection has at that moment.
  if (recent) defineRecentWindow(await queueConnection(queue));
  const multi = await openQueueTransaction(queue);
  let entries = 0;
  let bytes = 0;
  jobs.forEach((data, index) => {
    const jobBytes = size(index, data);
    entries += data.entries.length;
    bytes += jobBytes;
    multi.addJob(logJobName(data.entries.length, jobBytes), data, optsOf(index));
  });
  raiseBoundAccount(multi.commands, boundAccountKey(queue), { entries, bytes, jobs: jobs.length });
  if (recent) addRecentRecord(multi.commands, recentKeys(queue), recent.record, recent.bounds);
  const results = await multi.exec();
  if (results === null) throw new Error('Redis discarded the transaction');
  // Last in the MULTI: a window record that did not go in for want of its
  // script is written alone once the scripts are loaded again (below).
  const recentError = recent === undefined ? undefined : results.at(-1)?.[0];
  const recentFailed = recentError !== undefined && recentError !== null && isNoScript(recentError);
  if (recentError && !recentFailed) recent?.onFailure?.(recentError.message);
  // A script ioredis believed loaded but the node does not have (see
  // `isNoScript`) did not run: load the scripts again, then add those jobs
  // alone. Their entries are already in the account, raised by the first
  // transaction.
  const unloaded = jobs.flatMap((_, index) => (isNoScript(results[index]?.[0]) ? [index] : []));
  if (unloaded.length > 0 || recentFailed) {
    await reloadScripts(await queueConnection(queue));
  }
  if (recent && recentFailed) {
    const again = (await queueConnection(queue)).multi();
    addRecentRecord(again, recentKeys(queue), recent.record, recent.bounds);
    const [[error] = [null]] = (await again.exec()) ?? [];
    if (error) recent.onFailure?.(error.message);
  }
  if (unloaded.length > 0) {
    const again = await openQueueTransaction(queue);
    for (const index of unloaded) {
      const data = jobs[index] as LogJobData | UnreadableJobData;
      again.addJob(logJobName(data.entries.length, size(index, data)), data, optsOf(index));
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

function recentKeys(queue: Queue) {
  return { stream: recentWindowKey(queue), account: recentAccountKey(queue) };
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
