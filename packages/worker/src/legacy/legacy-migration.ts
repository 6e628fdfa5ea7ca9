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
} from '@godot/shared';
import type { Queue } from 'bullmq';

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
 * oldest first (godot.md, Upgrade path). Each step stages a chunk in a
 * side list, queues it, then deletes the stage; a worker that dies midway
 * re-queues the stage on its next start, so entries may be duplicated but
 * never lost. A lock keeps two workers from migrating at once.
 * Entries that are not readable JSON are still queued, as raw text: the
 * worker dead-letters them with a reason instead of dropping them.
 */
export async function migrateLegacyQueue(options: LegacyMigrationOptions): Promise<number> {
  const { redis, queue, logger, chunk = 500, maxJobEntries = 100 } = options;
  const staging = `${REDIS_KEYS.legacyQueue}:migrating`;
  const lock = `${REDIS_KEYS.legacyQueue}:migration-lock`;
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
 * that cannot be mapped goes alone, so the worker fails just that job.
 */
function legacyJobs(staged: readonly string[], maxJobEntries: number): LogJobData[] {
  const jobs: LogJobData[] = [];
  let current: LogEntry[] = [];
  for (const raw of staged) {
    const entry = fromLegacy(raw);
    if ('unreadable' in entry) {
      if (current.length > 0) jobs.push({ entries: current });
      current = [];
      jobs.push({ entries: [entry] });
      continue;
    }
    current.push(entry);
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
 * (WARNING → WARN), `timestamp` accepted for `created_at`. What cannot be
 * mapped is kept as is, so the worker's validation dead-letters it visibly.
 */
export function fromLegacy(raw: string): LogEntry {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { unreadable: raw } as unknown as LogEntry;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { unreadable: raw } as unknown as LogEntry;
  const record = value as Record<string, unknown>;
  const level =
    typeof record.level === 'string' ? (parseLevel(record.level) ?? record.level) : record.level;
  const traceId =
    typeof record.trace_id === 'string'
      ? (normalizeUuid(record.trace_id) ?? record.trace_id)
      : null;
  const createdAt = record.created_at ?? record.timestamp;
  return {
    component: record.component,
    level,
    message: record.message,
    trace_id: traceId,
    data: record.data ?? null,
    created_at: legacyTime(createdAt),
  } as LogEntry;
}

/** ISO strings pass; Python `time.time()` seconds (or ms) become ISO; anything else is "now". */
function legacyTime(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value < 1e12 ? value * 1000 : value).toISOString();
  }
  return new Date().toISOString();
}
