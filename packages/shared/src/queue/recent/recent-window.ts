import { readFileSync } from 'node:fs';
import type { ChainableCommander } from 'ioredis';
import type { RedisConnection } from '../../redis/redis-connection.js';

/**
 * The Lua function that writes the recent window (recent-window.lua), read
 * once when this module loads; it sits beside this file in src/ and in
 * dist/ (the package's build copies it). Scripts that write the window
 * start with it.
 */
export const RECENT_WINDOW_LUA = readFileSync(
  new URL('./recent-window.lua', import.meta.url),
  'utf8',
);

/** The name under which the window's own script is defined on a connection. */
const COMMAND = 'godotRecentAdd';

/** The script that adds one record to a shard's window, alone. */
const ADD_SCRIPT = `${RECENT_WINDOW_LUA}
return recent_add(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV, 7)`;

/**
 * A shard's recent-window bounds (docs/product.md#recent-window): records
 * older than `windowMs`, and the oldest beyond `maxBytes`, are trimmed as
 * new ones come. `maxBytes` 0 turns the window off.
 */
export interface RecentBounds {
  windowMs: number;
  maxBytes: number;
}

/**
 * A window write that failed while the entries themselves went in (a bug in
 * the window's script, or a node that lost it): the entries are queued and
 * acknowledged; only `logger_tail` and recent reads will miss them. Called
 * so that it is counted and logged, never silent.
 */
export type RecentWriteFailure = (error: string) => void;

/** One flush's entries for a shard's window. */
export interface RecentRecord {
  /** The entries as one JSON array, oldest first. */
  entriesJson: string;
  count: number;
  /** Their serialized bytes. */
  bytes: number;
  /** When the server accepted them, in µs since the epoch (`acceptedMicros`). */
  acceptedUs: number;
  /** What the read tools find without a scan. @default none */
  index?: RecentIndex;
}

/** The size of one bucket of the window's counters (recent-window.lua), in ms. */
export const RECENT_BUCKET_MS = 10_000;

/** Joins a group's pattern, level and component into one hash field. */
export const GROUP_SEPARATOR = '\u001f';

/**
 * A flush's index (recent-window.lua): its distinct trace ids, and its
 * entries grouped by message pattern, level and component.
 */
export interface RecentIndex {
  traces: string[];
  groups: RecentGroup[];
}

/** One group of a flush's entries. */
export interface RecentGroup {
  /** pattern, level and component, joined by {@link GROUP_SEPARATOR}. */
  field: string;
  count: number;
  /** The earliest entry: `{"m": message (cut), "t": trace id, "at": created_at}`. */
  earliestJson: string;
  /** The latest entry's `created_at`. */
  last: string;
  /** Up to 3 of its distinct trace ids. */
  traces: string[];
}

/** The index as the script reads it, after the record's own arguments. */
export function indexArgs(index: RecentIndex | undefined): (string | number)[] {
  if (!index) return [0, 0];
  const args: (string | number)[] = [index.traces.length, ...index.traces, index.groups.length];
  for (const group of index.groups) {
    args.push(group.field, group.count, group.earliestJson, group.last, group.traces.join(','));
  }
  return args;
}

/**
 * Now, in µs since the epoch, finer than `Date.now()`: two flushes of one
 * server always differ, so a reader orders records of different shards as
 * the server accepted them.
 */
export function acceptedMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** The keys of one shard's window, from redis-keys.ts. */
export interface RecentKeys {
  stream: string;
  account: string;
}

/**
 * Defines the window's script on `redis` (idempotent), so that a MULTI on
 * that connection can add a window record beside the jobs it adds
 * (`addRecentRecord`).
 */
export function defineRecentWindow(redis: RedisConnection): void {
  const commands = redis as unknown as Record<string, unknown>;
  if (typeof commands[COMMAND] === 'function') return;
  redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: ADD_SCRIPT });
}

/**
 * Queues, in `multi`, the script that adds `record` to a shard's window
 * and trims it to `bounds`. `multi` must come from a connection on which
 * `defineRecentWindow` ran.
 */
export function addRecentRecord(
  multi: ChainableCommander,
  keys: RecentKeys,
  record: RecentRecord,
  bounds: RecentBounds,
): void {
  // defineCommand adds a method that ioredis's types cannot know of.
  const command = (multi as unknown as Record<string, (...args: unknown[]) => unknown>)[COMMAND];
  if (!command) throw new Error('the recent window script is not defined on this connection');
  command.call(
    multi,
    keys.stream,
    keys.account,
    record.entriesJson,
    record.count,
    record.bytes,
    record.acceptedUs,
    bounds.windowMs,
    bounds.maxBytes,
    ...indexArgs(record.index),
  );
}
