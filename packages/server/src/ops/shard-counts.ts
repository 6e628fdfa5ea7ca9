import type { JobType, Queue } from 'bullmq';

/** Job counts by state, each state present. */
export type JobCounts<S extends JobType> = Record<S, number>;

/**
 * Each queue shard's job counts in `states`, in shard order: one round trip
 * per shard, run together. A state BullMQ leaves out counts 0.
 */
export function readShardCounts<S extends JobType>(
  queues: readonly Queue[],
  states: readonly S[],
): Promise<JobCounts<S>[]> {
  return Promise.all(
    queues.map(async (queue) => {
      const counts = await queue.getJobCounts(...states);
      return Object.fromEntries(states.map((state) => [state, counts[state] ?? 0])) as JobCounts<S>;
    }),
  );
}

/** The shards' counts added up, state by state. */
export function addCounts<S extends JobType>(
  states: readonly S[],
  shards: readonly JobCounts<S>[],
): JobCounts<S> {
  const total = Object.fromEntries(states.map((state) => [state, 0])) as JobCounts<S>;
  for (const counts of shards) for (const state of states) total[state] += counts[state];
  return total;
}
