import {
  bullmqKey,
  type Config,
  type LogEntry,
  queueShards,
  type RecentKeys,
  recentAccountKey,
  recentWindowKey,
  shardShare,
} from '@godot/shared';
import { Redis } from 'ioredis';
import { recentIndex } from '../../packages/server/src/ingest/recent-index.js';
import {
  acceptedMicros,
  addRecentRecord,
  defineRecentWindow,
} from '../../packages/shared/src/queue/recent/recent-window.js';
import { FLEET_COMPONENTS, FleetEntries, SEARCH_WORD } from './fleet-entries.js';

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

/** Entries per window record: a server's flush at 1,000 logs/s holds about 3. */
const ENTRIES_PER_RECORD = 3;
/** Script calls per pipeline round trip. */
const CALLS_PER_EXEC = 500;
/** How far back the entries' `created_at` reach, ending now. */
const SPAN_MS = 14 * 60_000;

/** Options of {@link fillRecentWindow}. */
export interface RecentFillOptions {
  /** The bench's Redis (one redis-server). */
  redisUrl: string;
  /** The server's configuration: its queue's shards and the window's bounds. */
  config: Pick<
    Config,
    'QUEUE_NAME' | 'QUEUE_SHARDS' | 'REDIS_CLUSTER' | 'RECENT_WINDOW' | 'RECENT_MAX_BYTES'
  >;
  /** Entries to write, at most. */
  entries: number;
  /**
   * Bytes to leave free under each shard's bound, for what the server adds
   * next: the fill stops short of them, so that nothing is trimmed.
   */
  headroomBytes: number;
}

/** What a fill wrote, and what the read tools can look for in it. */
export interface RecentFill {
  entries: number;
  bytes: number;
  seconds: number;
  /** When the fill began (ms since the epoch): its records are all younger. */
  startedAtMs: number;
  /** The fill stopped at the bytes bound, before `entries`. */
  capped: boolean;
  /** A trace of about 10 entries with an MCP exchange. */
  traceId: string;
  /** A component of the fill. */
  component: string;
  /** A word in about 1% of the messages. */
  searchWord: string;
}

/**
 * Fills the recent window in Redis directly, fast, as a server writes it
 * (docs/data-path.md#recent-window): fleet-like entries (bench/read/fleet-entries.ts),
 * 3 to a record, each record through the window's own script with the index
 * the server computes, pipelined. Their `created_at` run from 14 minutes ago
 * to now, oldest first.
 *
 * Two things differ from a server that ran for 15 minutes, because Redis
 * stamps each record with its own clock:
 * - the records' times are the fill's (a minute or less), not spread over
 *   15 minutes: the summary's counters land in a few 10 s buckets;
 * - so that the window counts as complete for the last 15 minutes (its
 *   `started` is the server's start otherwise, and `logger_query` and
 *   `logger_summary` would go to Dewey), `started` is set 15 minutes back,
 *   and the fill stops `headroomBytes` short of the bytes bound: a trim would
 *   mark the window complete only since the fill's records
 *   (`complete_since`), as a real window is since its oldest, 15 minutes ago.
 */
export async function fillRecentWindow(options: RecentFillOptions): Promise<RecentFill> {
  const { config } = options;
  const started = performance.now();
  const startedAtMs = Date.now();
  const shards: RecentKeys[] = queueShards(config).map((shard) => {
    const queue = { toKey: (suffix: string) => bullmqKey(shard.name, suffix, shard.prefix) };
    return { stream: recentWindowKey(queue), account: recentAccountKey(queue) };
  });
  const bounds = {
    windowMs: config.RECENT_WINDOW,
    maxBytes: shardShare(config.RECENT_MAX_BYTES, shards.length),
  };
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    defineRecentWindow(redis);
    const room: number[] = [];
    for (const keys of shards) {
      const held = Number((await redis.hget(keys.account, 'bytes')) ?? 0);
      room.push(bounds.maxBytes - options.headroomBytes - held);
      await redis.hset(keys.account, 'started', Date.now() - bounds.windowMs);
    }
    const fleet = new FleetEntries();
    const records = Math.floor(options.entries / ENTRIES_PER_RECORD);
    const firstMs = Date.now() - SPAN_MS;
    let written = 0;
    let bytes = 0;
    let capped = false;
    // The newest trace with an exchange among the records written (not those left out by the cap).
    let traceId = fleet.lastExchangeTrace;
    while (written < records && !capped) {
      const pipeline = redis.pipeline();
      let calls = 0;
      for (; calls < CALLS_PER_EXEC && written + calls < records; calls++) {
        const record = written + calls;
        const shard = record % shards.length;
        const atMs = firstMs + (SPAN_MS * record) / records;
        const entries: LogEntry[] = [];
        for (let i = 0; i < ENTRIES_PER_RECORD; i++) entries.push(fleet.next(atMs));
        const json = entries.map((entry) => JSON.stringify(entry));
        const size = json.reduce((sum, one) => sum + Buffer.byteLength(one), 0);
        if (size > (room[shard] ?? 0)) {
          capped = true;
          break;
        }
        room[shard] = (room[shard] ?? 0) - size;
        bytes += size;
        addRecentRecord(
          pipeline,
          shards[shard] as RecentKeys,
          {
            entriesJson: `[${json.join(',')}]`,
            count: entries.length,
            bytes: size,
            acceptedUs: acceptedMicros(),
            index: recentIndex(entries),
          },
          bounds,
        );
        traceId = fleet.lastExchangeTrace;
      }
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
      written += calls;
    }
    const seconds = (performance.now() - started) / 1000;
    const entries = written * ENTRIES_PER_RECORD;
    progress(
      `filled the recent window: ${entries} entries, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(1)} s` +
        `${capped ? ' (stopped short of the bytes bound)' : ''}`,
    );
    if (!traceId) throw new Error('the fill holds no trace with an exchange');
    return {
      entries,
      bytes,
      seconds,
      startedAtMs,
      capped,
      traceId,
      component: FLEET_COMPONENTS[3],
      searchWord: SEARCH_WORD,
    };
  } finally {
    redis.disconnect();
  }
}
