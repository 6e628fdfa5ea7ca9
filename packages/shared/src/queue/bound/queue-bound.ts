import { readFileSync } from 'node:fs';
import type { Queue } from 'bullmq';
import type { RedisConnection } from '../../redis/redis-connection.js';
import { boundAccountKey } from '../../redis/redis-keys.js';

/**
 * The script, read once when this module loads. It sits beside this file
 * both in src/ and in dist/ (the package's build copies it), so the same
 * relative URL finds it in tests, in development and in the deployed image.
 */
const TRIM_SCRIPT = readFileSync(new URL('./queue-bound.lua', import.meta.url), 'utf8');

/** The name under which the script is defined on a connection (ioredis `defineCommand`). */
const COMMAND = 'godotTrimWaiting';

type TrimCommand = (
  waitKey: string,
  pausedKey: string,
  accountKey: string,
  delayedKey: string,
  maxEntries: number,
  maxBytes: number,
  jobKeyPrefix: string,
) => Promise<[removed: number, entries: number, bytes: number]>;

/**
 * Keeps at most `max` entries and `maxBytes` serialized bytes waiting for
 * delivery in one queue, dropping the oldest first (docs/product.md, "Queue
 * bound"). One Lua script (queue-bound.lua), so it is atomic: servers that
 * check the same queue at once never drop the same excess twice.
 *
 * Its check costs O(1) while the account (bound-account.ts) is exact, and
 * O(dropped) over the bound; see the script for when it recounts.
 */
export class QueueBound {
  private readonly trimCommand: TrimCommand;

  constructor(
    redis: RedisConnection,
    /** The queue it keeps; `queue.qualifiedName` names it in logs. */
    readonly queue: Queue,
    /** Most entries waiting. */
    readonly max: number,
    /** Most serialized bytes waiting. @default Number.MAX_SAFE_INTEGER */
    readonly maxBytes: number = Number.MAX_SAFE_INTEGER,
  ) {
    redis.defineCommand(COMMAND, { numberOfKeys: 4, lua: TRIM_SCRIPT });
    // defineCommand adds a method that ioredis's types cannot know of.
    const commands = redis as unknown as Record<typeof COMMAND, TrimCommand>;
    this.trimCommand = commands[COMMAND].bind(redis);
  }

  /** Drops the oldest waiting entries beyond the bound; resolves with how many. */
  async trim(): Promise<number> {
    const [removed] = await this.trimCommand(
      this.queue.toKey('wait'),
      this.queue.toKey('paused'),
      boundAccountKey(this.queue),
      this.queue.toKey('delayed'),
      this.max,
      this.maxBytes,
      this.queue.toKey(''),
    );
    return removed;
  }
}
