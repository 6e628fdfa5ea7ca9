import { boundAccountKey, type RedisConnection } from '@godot/shared';
import type { Queue } from 'bullmq';

/**
 * Keeps at most ARGV[1] entries and ARGV[2] serialized bytes waiting,
 * dropping the oldest first, and returns `{removed, entries, bytes}`.
 * BullMQ adds with LPUSH and workers take from the tail, so the oldest job
 * is at the tail of the wait list, or of the paused list while the queue is
 * paused (BullMQ then renames one into the other). A job's name holds its
 * count of entries still to deliver and their bytes (log-job.ts).
 *
 * Entries: exact. Over the count, whole oldest jobs go, and the last one is
 * cut: its count is lowered, and the worker then delivers only its newest
 * entries. Bytes: whole oldest jobs go until the bytes fit; a cut job's
 * bytes are taken in proportion to what it keeps.
 *
 * The account (KEYS[3]) is raised in the same MULTI as every add
 * (`addLogJobs`), so while no job has left the lists its numbers are exact
 * and the check costs O(1), or O(dropped) when over the bound. Workers take
 * jobs without telling it, and jobs come back (a dead worker's, or handed
 * back at shutdown) without telling it either; the lists' length tells:
 * when it differs from the `jobs` the account expects, the script counts
 * the lists afresh (O(waiting jobs)) before deciding to drop anything.
 * Nothing is ever dropped on a stale count.
 */
const TRIM_SCRIPT = `
local maxEntries = tonumber(ARGV[1])
local maxBytes = tonumber(ARGV[2])
local prefix = ARGV[3]
local account = redis.call('HMGET', KEYS[3], 'entries', 'bytes', 'jobs')
local entries = tonumber(account[1] or '0')
local bytes = tonumber(account[2] or '0')
if entries <= maxEntries and bytes <= maxBytes then return {0, entries, bytes} end
local function size(id)
  local name = redis.call('HGET', prefix .. id, 'name')
  if not name then return 0, 0 end
  local count, total = string.match(name, '^(%d+) entr%a+ %((%d+) bytes%)$')
  if count then return tonumber(count), tonumber(total) end
  -- A job of Godot 0.1: one entry, its data.
  return 1, redis.call('HSTRLEN', prefix .. id, 'data')
end
local length = redis.call('LLEN', KEYS[1]) + redis.call('LLEN', KEYS[2])
if length ~= tonumber(account[3] or '-1') then
  entries = 0
  bytes = 0
  for _, list in ipairs({KEYS[1], KEYS[2]}) do
    for _, id in ipairs(redis.call('LRANGE', list, 0, -1)) do
      local count, total = size(id)
      entries = entries + count
      bytes = bytes + total
    end
  end
end
local removed = 0
while entries > maxEntries or bytes > maxBytes do
  local list = KEYS[2]
  local id = redis.call('LINDEX', list, -1)
  if not id then
    list = KEYS[1]
    id = redis.call('LINDEX', list, -1)
  end
  if not id then
    entries = 0
    bytes = 0
    break
  end
  local count, total = size(id)
  if bytes > maxBytes or count <= entries - maxEntries then
    redis.call('RPOP', list)
    redis.call('DEL', prefix .. id, prefix .. id .. ':logs')
    length = length - 1
    removed = removed + count
    entries = entries - count
    bytes = bytes - total
  else
    local left = count - (entries - maxEntries)
    local kept = math.ceil(total * left / count)
    local noun = left == 1 and ' entry (' or ' entries ('
    redis.call('HSET', prefix .. id, 'name', left .. noun .. kept .. ' bytes)')
    removed = removed + count - left
    entries = maxEntries
    bytes = bytes - total + kept
  end
end
redis.call('HSET', KEYS[3], 'entries', entries, 'bytes', bytes, 'jobs', length)
return {removed, entries, bytes}
`;

type TrimCommand = (
  waitKey: string,
  pausedKey: string,
  accountKey: string,
  maxEntries: number,
  maxBytes: number,
  jobKeyPrefix: string,
) => Promise<[number, number, number]>;

/**
 * Keeps at most `max` entries and `maxBytes` serialized bytes waiting for
 * delivery, dropping the oldest first (godot.md, Queue and delivery: Bound).
 * Atomic, so concurrent servers never drop the same excess twice.
 */
export class QueueBound {
  private readonly trimCommand: TrimCommand;

  constructor(
    redis: RedisConnection,
    private readonly queue: Queue,
    readonly max: number,
    readonly maxBytes: number = Number.MAX_SAFE_INTEGER,
  ) {
    redis.defineCommand('godotTrimWaiting', { numberOfKeys: 3, lua: TRIM_SCRIPT });
    const commands = redis as unknown as { godotTrimWaiting: TrimCommand };
    this.trimCommand = commands.godotTrimWaiting.bind(redis);
  }

  /** Drops the oldest waiting entries beyond the bound; returns how many. */
  async trim(): Promise<number> {
    const [removed] = await this.trimCommand(
      this.queue.toKey('wait'),
      this.queue.toKey('paused'),
      boundAccountKey(this.queue),
      this.max,
      this.maxBytes,
      this.queue.toKey(''),
    );
    return removed;
  }
}
