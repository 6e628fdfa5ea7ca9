import {
  addLogJobs,
  LOG_JOB_OPTIONS,
  type LogEntry,
  type Logger,
  type LogJobData,
  normalizeUuid,
  parseLevel,
  REDIS_KEYS,
  type RedisConnection,
  type UnreadableJobData,
} from '@godot/shared';
import type { Queue } from 'bullmq';
import { type DecodedEntry, decodeEntry } from '../delivery/job-decoder.js';

/**
 * Moves up to ARGV[1] of the oldest entries (the tail: the Python Godot
 * LPUSHed) from the legacy list into a staging list, oldest first, atomically.
 */
const STAGE_SCRIPT = `
local items = redis.call('RPOP', KEYS[1], tonumber(ARGV[1]))
if items then redis.call('RPUSH', KEYS[2], unpack(items)) end
return items and #items or 0
`;

/** Options of `migrateLegacyQueue`. */
export interface LegacyMigrationOptions {
  redis: RedisConnection;
  queue: Queue<LogJobData>;
  logger: Logger;
  /** Entries per step. @default 500 */
  chunk?: number;
  /** Most entries per job (BATCH_SIZE). @default 100 */
  maxJobEntries?: number;
  /** Called with each step's count (metrics). */
  onMigrated?: (count: number) => void;
}

/**
 * Moves what the Python Godot left in `logs:queue` into the BullMQ queue,
 * oldest first (docs/product.md#upgrade-from-the-python-godot). Each step
 * stages a chunk in a side list, queues it, then deletes the stage; a worker that dies midway
 * re-queues the stage on its next start, so entries may be duplicated but
 * never lost. A lock keeps two workers from migrating at once.
 * Entries that are not valid log entries are still queued, each as a job of
 * its own and as it was: the worker fails that job with the reason instead
 * of dropping the entry.
 */
export async function migrateLegacyQueue(options: LegacyMigrationOptions): Promise<number> {
  const { redis, queue, logger, chunk = 500, maxJobEntries = 100 } = options;
  const staging = REDIS_KEYS.legacyStaging;
  const lock = REDIS_KEYS.legacyMigrationLock;
  if ((await redis.exists(REDIS_KEYS.legacyQueue, staging)) === 0) return 0;
  if ((await redis.set(lock, String(process.pid), 'PX', 60_000, 'NX')) !== 'OK') return 0;
  let total = 0;
  try {
    for (;;) {
      let staged = await redis.lrange(staging, 0, -1);
      if (staged.length === 0) {
        const moved = Number(
          await redis.eval(STAGE_SCRIPT, 2, REDIS_KEYS.legacyQueue, staging, chunk),
        );
        if (moved === 0) break;
        staged = await redis.lrange(staging, 0, -1);
      }
      await addLogJobs(queue, legacyJobs(staged, maxJobEntries), LOG_JOB_OPTIONS);
      await redis.multi().del(staging).pexpire(lock, 60_000).exec();
      total += staged.length;
      options.onMigrated?.(staged.length);
    }
  } finally {
    await redis.del(lock);
  }
  if (total > 0) logger.info({ entries: total }, "migrated the Python Godot's logs:queue");
  return total;
}

/**
 * Staged entries, oldest first, as jobs of at most `maxJobEntries`. An entry
 * that is not a valid log entry once mapped goes alone, as it is, so the
 * worker fails just that job, with the reason.
 */
function legacyJobs(
  staged: readonly string[],
  maxJobEntries: number,
): Array<LogJobData | UnreadableJobData> {
  const jobs: Array<LogJobData | UnreadableJobData> = [];
  let current: LogEntry[] = [];
  for (const raw of staged) {
    const decoded = fromLegacy(raw);
    if (!decoded.readable) {
      if (current.length > 0) jobs.push({ entries: current });
      current = [];
      jobs.push({ entries: [decoded.value] });
      continue;
    }
    current.push(decoded.entry);
    if (current.length >= maxJobEntries) {
      jobs.push({ entries: current });
      current = [];
    }
  }
  if (current.length > 0) jobs.push({ entries: current });
  return jobs;
}

/**
 * Maps one Python Godot entry to ours: same field names, levels normalised
 * (WARNING → WARN), `timestamp` accepted for `created_at`, then checks it
 * like any job's entry (`decodeEntry`). What is not a log entry is kept:
 * the mapped fields, or `{ unreadable: raw }` when `raw` is not a JSON
 * object, so that the worker fails it visibly, with the reason.
 */
export function fromLegacy(raw: string): DecodedEntry {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return decodeEntry({ unreadable: raw });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return decodeEntry({ unreadable: raw });
  const record = value as Record<string, unknown>;
  const level =
    typeof record.level === 'string' ? (parseLevel(record.level) ?? record.level) : record.level;
  const traceId =
    typeof record.trace_id === 'string'
      ? (normalizeUuid(record.trace_id) ?? record.trace_id)
      : null;
  const createdAt = record.created_at ?? record.timestamp;
  return decodeEntry({
    component: record.component,
    level,
    message: record.message,
    trace_id: traceId,
    data: record.data ?? null,
    created_at: legacyTime(createdAt),
  });
}

/** ISO strings pass; Python `time.time()` seconds (or ms) become ISO; anything else is "now". */
function legacyTime(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value < 1e12 ? value * 1000 : value).toISOString();
  }
  return new Date().toISOString();
}
