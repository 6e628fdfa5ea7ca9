import { boundAccountKey } from '@godot/shared';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Keeps at most ARGV[1] entries waiting, dropping the oldest first, and
 * returns `{removed, waiting}`. BullMQ adds with LPUSH and workers take from
 * the tail, so the oldest job is at the tail. A job's name is its count of
 * entries still to deliver (log-job.ts); dropping part of a job lowers that
 * count, and the worker then delivers only its newest entries.
 *
 * The account (KEYS[2]) is raised in the same MULTI as every add
 * (`addLogJobs`), so while no job has left the wait list its `entries` is
 * exact and the check costs O(1), or O(dropped) when over the bound. Workers
 * take jobs without telling it, so `entries` only ever over-counts; the wait
 * list's length tells: when it differs from the `jobs` the account expects,
 * the script counts the list afresh (O(waiting jobs)) before deciding to drop
 * anything. Nothing is ever dropped on a stale count.
 */
const TRIM_SCRIPT = `
local max = tonumber(ARGV[1])
local prefix = ARGV[2]
local entries = tonumber(redis.call('HGET', KEYS[2], 'entries') or '0')
if entries <= max then return {0, entries} end
local function kept(id)
  local name = redis.call('HGET', prefix .. id, 'name')
  if not name then return 0 end
  return tonumber(string.match(name, '^(%d+) entr')) or 1
end
local length = redis.call('LLEN', KEYS[1])
local expected = tonumber(redis.call('HGET', KEYS[2], 'jobs') or '-1')
if length ~= expected then
  entries = 0
  local ids = redis.call('LRANGE', KEYS[1], 0, -1)
  for _, id in ipairs(ids) do entries = entries + kept(id) end
end
local removed = 0
while entries > max do
  local id = redis.call('LINDEX', KEYS[1], -1)
  if not id then entries = 0 break end
  local count = kept(id)
  local excess = entries - max
  if count <= excess then
    redis.call('RPOP', KEYS[1])
    redis.call('DEL', prefix .. id, prefix .. id .. ':logs')
    length = length - 1
    removed = removed + count
    entries = entries - count
  else
    local left = count - excess
    redis.call('HSET', prefix .. id, 'name', left == 1 and '1 entry' or (left .. ' entries'))
    removed = removed + excess
    entries = max
  end
end
redis.call('HSET', KEYS[2], 'entries', entries, 'jobs', length)
return {removed, entries}
`;

type TrimCommand = (
  waitKey: string,
  accountKey: string,
  max: number,
  jobKeyPrefix: string,
) => Promise<[number, number]>;

/**
 * Keeps at most `max` entries waiting for delivery, dropping the oldest first
 * (godot.md, Queue and delivery: Bound). Atomic, so concurrent servers never
 * drop the same excess twice.
 */
export class QueueBound {
  private readonly trimCommand: TrimCommand;

  constructor(
    redis: Redis,
    private readonly queue: Queue,
    readonly max: number,
  ) {
    redis.defineCommand('godotTrimWaiting', { numberOfKeys: 2, lua: TRIM_SCRIPT });
    const commands = redis as unknown as { godotTrimWaiting: TrimCommand };
    this.trimCommand = commands.godotTrimWaiting.bind(redis);
  }

  /** Drops the oldest waiting entries beyond the bound; returns how many. */
  async trim(): Promise<number> {
    const [removed] = await this.trimCommand(
      this.queue.toKey('wait'),
      boundAccountKey(this.queue),
      this.max,
      this.queue.toKey(''),
    );
    return removed;
  }
}
