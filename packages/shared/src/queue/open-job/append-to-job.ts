import { readFileSync } from 'node:fs';
import type { Queue } from 'bullmq';
import type { RedisConnection } from '../../redis/redis-connection.js';
import { boundAccountKey, recentAccountKey, recentWindowKey } from '../../redis/redis-keys.js';
import {
  acceptedMicros,
  indexArgs,
  RECENT_WINDOW_LUA,
  type RecentBounds,
  type RecentIndex,
  type RecentWriteFailure,
} from '../recent/recent-window.js';

/**
 * The script, read once when this module loads; it sits beside this file in
 * src/ and in dist/ (the package's build copies it). The window's function
 * comes first, as the script calls it.
 */
const APPEND_SCRIPT = `${RECENT_WINDOW_LUA}\n${readFileSync(
  new URL('./append-to-job.lua', import.meta.url),
  'utf8',
)}`;

/** The name under which the script is defined on a connection (ioredis `defineCommand`). */
const COMMAND = 'godotAppendToJob';

type AppendCommand = (
  jobKey: string,
  delayedKey: string,
  accountKey: string,
  logsKey: string,
  recentKey: string,
  recentAccount: string,
  jobId: string,
  entriesJson: string,
  count: number,
  bytes: number,
  acceptedUs: number,
  windowMs: number,
  windowBytes: number,
  ...index: (string | number)[]
) => Promise<0 | 1 | string>;

/**
 * Appends entries to a log job of `queue` that still waits out its delay
 * (docs/data-path.md#job): one Lua script (append-to-job.lua) that checks
 * the job is still delayed, pushes the entries to the job's logs list,
 * rewrites its name, raises the bound's account and adds the entries to the
 * shard's recent window (docs/data-path.md#recent-window), atomically. So a job added with a delay of
 * `BATCH_TIMEOUT_MS` gathers the entries of many flushes, and becomes one
 * Dewey batch, while each flush still costs one cheap, durable Redis call.
 */
export class JobAppender {
  private readonly command: AppendCommand;

  constructor(
    redis: RedisConnection,
    /** The queue whose jobs it extends. */
    readonly queue: Queue,
    /** The shard's recent-window bounds; the writer of new jobs uses the same. @default off */
    readonly recent: RecentBounds = { windowMs: 0, maxBytes: 0 },
    /** Told when entries went in but the window could not be written. @default none */
    readonly onRecentFailure: RecentWriteFailure = () => {},
  ) {
    redis.defineCommand(COMMAND, { numberOfKeys: 6, lua: APPEND_SCRIPT });
    // defineCommand adds a method that ioredis's types cannot know of.
    const commands = redis as unknown as Record<typeof COMMAND, AppendCommand>;
    this.command = commands[COMMAND].bind(redis);
  }

  /**
   * Appends `entriesJson` (the entries as one JSON array):
   * `true` once Redis holds them; `false` when the job no longer waits out
   * its delay (a worker took it, or the bound dropped it), and nothing was
   * written.
   */
  async append(
    jobId: string,
    entriesJson: string,
    count: number,
    bytes: number,
    /** The entries' index for the recent window. @default none */
    index?: RecentIndex,
  ): Promise<boolean> {
    const appended = await this.command(
      this.queue.toKey(jobId),
      this.queue.toKey('delayed'),
      boundAccountKey(this.queue),
      this.queue.toKey(`${jobId}:logs`),
      recentWindowKey(this.queue),
      recentAccountKey(this.queue),
      jobId,
      entriesJson,
      count,
      bytes,
      acceptedMicros(),
      this.recent.windowMs,
      this.recent.maxBytes,
      ...indexArgs(index),
    );
    if (typeof appended === 'string') {
      this.onRecentFailure(appended);
      return true;
    }
    return appended === 1;
  }
}
