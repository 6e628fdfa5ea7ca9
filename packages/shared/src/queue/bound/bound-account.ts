import type { ChainableCommander } from 'ioredis';

/**
 * The queue bound's account of one queue, a hash at `boundAccountKey(queue)`:
 * `entries` waiting, their serialized `bytes`, and the number of `jobs` it
 * expects in the wait (or paused) list. `addLogJobs` raises it in the same
 * MULTI as the adds; queue-bound.lua reads it, checks `jobs` against the
 * lists' length, and writes it back after a trim or a recount.
 */
export interface BoundAccount {
  entries: number;
  bytes: number;
  jobs: number;
}

/**
 * Queues, in `commands` (a MULTI that also adds the jobs), the raise of the
 * account at `key` by what those jobs hold.
 */
export function raiseBoundAccount(
  commands: ChainableCommander,
  key: string,
  added: BoundAccount,
): void {
  commands
    .hincrby(key, 'entries', added.entries)
    .hincrby(key, 'bytes', added.bytes)
    .hincrby(key, 'jobs', added.jobs);
}
