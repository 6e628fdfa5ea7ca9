/**
 * A log job's *name* is a data channel: `"<n> entries (<b> bytes)"` (or
 * `"1 entry (<b> bytes)"`) says how many of the job's entries are still to
 * be delivered, and their serialized size. It is the one field the queue
 * bound's Lua script can rewrite without decoding the job's data, and the
 * one BullMQ's dashboard shows.
 *
 * - written here, when a job is added (`addLogJobs`);
 * - rewritten by the bound's script when it cuts a job: it lowers `n` and `b`,
 *   and the entries kept are always the *last* `n` of the job's `entries`
 *   (the bound drops the oldest first);
 * - read here ({@link parseLogJobName}) by the worker (`jobEntries`) and by
 *   tests, and by queue-bound.lua, which must match this format exactly
 *   (queue-bound.test.ts checks that both sides agree).
 */

/** What a job of `count` entries of `bytes` serialized bytes is named. */
export function logJobName(count: number, bytes: number): string {
  return `${count} ${count === 1 ? 'entry' : 'entries'} (${bytes} bytes)`;
}

/** What a log job's name says: entries still to deliver, and their serialized bytes. */
export interface LogJobSize {
  count: number;
  bytes: number;
}

const NAME = /^(\d+) entr(?:y|ies) \((\d+) bytes\)$/;

/** Reads a name written by {@link logJobName} (or the bound's cut); undefined for any other name. */
export function parseLogJobName(name: string): LogJobSize | undefined {
  const match = NAME.exec(name);
  return match ? { count: Number(match[1]), bytes: Number(match[2]) } : undefined;
}

const COUNT = /^(\d+) entr(?:y|ies)\b/;

/**
 * The number of entries a job's name says are kept, if it is one of ours.
 * Looser than {@link parseLogJobName}: it also reads the names of the release
 * before the byte count, `"<n> entries"`, whose jobs may still wait in Redis
 * (the bound's script counts such a job as one entry of its data's size).
 */
export function keptEntryCount(name: string): number | undefined {
  const match = COUNT.exec(name);
  return match ? Number(match[1]) : undefined;
}
