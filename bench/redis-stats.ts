import { bullmqKey, type Config, queueShards } from '@godot/shared';
import { withRedis } from '@godot/testkit';
import { formatColumns } from './stats.js';

interface CommandStat {
  command: string;
  calls: number;
  usec: number;
}

/** Zeroes redis-server's command statistics. */
export async function resetRedisStats(port: number): Promise<void> {
  await withRedis(port, (redis) => redis.config('RESETSTAT'));
}

/**
 * Redis's own account of where its time went since the last reset (`INFO
 * commandstats`): calls and microseconds per command, per stored entry. Lua
 * scripts (BullMQ's) show up as `evalsha`, with the commands they run inside
 * counted on their own lines too.
 */
export async function redisStatsTable(
  port: number,
  entries: number,
  phase: string,
): Promise<string> {
  const info = await withRedis(port, (redis) => redis.info('commandstats'));
  const stats: CommandStat[] = [];
  for (const match of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+),usec=(\d+)/gm)) {
    stats.push({ command: match[1] as string, calls: Number(match[2]), usec: Number(match[3]) });
  }
  stats.sort((a, b) => b.usec - a.usec);
  const per = (value: number) => (value / Math.max(1, entries)).toFixed(3);
  return `redis-server time per stored entry, ${phase} (INFO commandstats, ${entries} entries):\n${formatColumns(
    ['command', 'calls/entry', 'µs/entry'],
    stats.slice(0, 12).map((stat) => [stat.command, per(stat.calls), per(stat.usec)]),
  )}`;
}

/**
 * BullMQ jobs ever added to Godot's queue, all shards together: BullMQ
 * numbers a queue's jobs from its `<prefix>:<queue>:id` counter (Godot gives
 * no ids of its own), so the difference over a phase is the jobs it added.
 * Each shard's counter is read on every node: on a cluster the node that
 * holds it answers, the others refuse (MOVED) and count nothing.
 */
export async function jobsAdded(
  ports: readonly number[],
  config: Pick<Config, 'QUEUE_NAME' | 'QUEUE_SHARDS' | 'REDIS_CLUSTER'>,
): Promise<number> {
  const keys = queueShards(config).map((shard) => bullmqKey(shard.name, 'id', shard.prefix));
  let total = 0;
  for (const port of ports) {
    await withRedis(port, async (redis) => {
      for (const key of keys) total += Number((await redis.get(key).catch(() => null)) ?? 0);
    });
  }
  return total;
}
