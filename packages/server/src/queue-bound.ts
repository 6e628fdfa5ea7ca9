import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Removes the oldest waiting jobs beyond `max`, atomically, and returns how
 * many it removed. BullMQ adds with LPUSH and workers take with RPOPLPUSH, so
 * the oldest waiting job is at the tail of the wait list (also where stalled
 * jobs return). Job keys are deleted as BullMQ's own `removeJobKeys` does.
 * Running as one script keeps concurrent servers from removing the same
 * excess twice (godot.md, Queue and delivery: Bound).
 */
const TRIM_SCRIPT = `
local excess = redis.call('LLEN', KEYS[1]) - tonumber(ARGV[1])
local removed = 0
while excess > 0 do
  local ids = redis.call('RPOP', KEYS[1], math.min(excess, 500))
  if not ids then break end
  for _, id in ipairs(ids) do
    local jobKey = ARGV[2] .. id
    redis.call('DEL', jobKey, jobKey .. ':logs')
  end
  removed = removed + #ids
  excess = excess - #ids
end
return removed
`;

type TrimCommand = (waitKey: string, max: number, jobKeyPrefix: string) => Promise<number>;

/** Keeps at most `max` entries waiting for delivery, dropping the oldest first. */
export class QueueBound {
  private readonly trimCommand: TrimCommand;

  constructor(
    redis: Redis,
    private readonly queue: Queue,
    readonly max: number,
  ) {
    redis.defineCommand('godotTrimWait', { numberOfKeys: 1, lua: TRIM_SCRIPT });
    const commands = redis as unknown as { godotTrimWait: TrimCommand };
    this.trimCommand = commands.godotTrimWait.bind(redis);
  }

  /** Drops the oldest waiting entries beyond the bound; returns how many. */
  async trim(): Promise<number> {
    return this.trimCommand(this.queue.toKey('wait'), this.max, this.queue.toKey(''));
  }
}
