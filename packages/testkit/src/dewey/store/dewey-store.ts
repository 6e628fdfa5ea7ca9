import type { PreparedLog } from './dewey-batch.js';
import { type DeweyLevel, isAtLeast } from './dewey-levels.js';
import { formatIsoMicros } from './iso-time.js';
import { matchesWebSearch, parseWebSearch, type TsVector, toTsVector } from './web-search.js';

/** A row as the emulator holds it, with `data` as it was sent (tests read these). */
export interface StoredLog {
  id: number;
  trace_id: string | null;
  component: string;
  level: DeweyLevel;
  message: string;
  /** The entry's `data` as sent; null when it was null, missing or falsy (`{}`). */
  data: unknown;
  /** Millisecond precision; `created_at_iso` has Dewey's microseconds. */
  created_at: Date;
  /** `created_at` as Dewey prints it, e.g. `2026-11-24T03:35:01.134382+00:00`. */
  created_at_iso: string;
}

/** A row as `dewey_query_logs` returns it (docs/dewey-contract.md#dewey_query_logs). */
export interface DeweyRow {
  id: number;
  trace_id: string | null;
  component: string;
  level: DeweyLevel;
  message: string;
  /** JSON-encoded (PostgreSQL jsonb text), or null. */
  data: string | null;
  created_at: string;
  /** Seconds since `created_at`. */
  age: number;
}

/** Filters shared by query and clear; absent fields do not filter. */
export interface LogFilter {
  traceId?: string;
  component?: string;
  /** Keep this level and more severe ones. */
  minLevel?: DeweyLevel;
  /** Inclusive lower bound, epoch microseconds. */
  startMicros?: number;
  /** Inclusive upper bound, epoch microseconds. */
  endMicros?: number;
  /** Exclusive upper bound (clear's `before_time`), epoch microseconds. */
  beforeMicros?: number;
  /** A `websearch_to_tsquery` string matched against `message`. */
  search?: string;
}

/** `dewey_get_log_stats` payload. */
export interface DeweyStats {
  total_count: number;
  count_by_component: Record<string, number>;
  count_by_level: Record<string, number>;
  oldest_log_at: string | null;
  newest_log_at: string | null;
  estimated_db_size: string;
}

interface Row extends PreparedLog {
  id: number;
}

const PAGE_BYTES = 8192;
// Rough per-row overhead of a heap tuple plus its index entries.
const ROW_OVERHEAD_BYTES = 120;

/** The emulator's in-memory `logs` table. Ids grow from 1 and are never reused, like a serial. */
export class DeweyStore {
  #rows: Row[] = [];
  #nextId = 1;
  // Like a GIN index: each message is tokenized once, on its first search.
  #vectors = new WeakMap<Row, TsVector>();

  /** Number of rows held. */
  get size(): number {
    return this.#rows.length;
  }

  /** Stores validated entries and returns them as {@link StoredLog}s. */
  insert(logs: readonly PreparedLog[]): StoredLog[] {
    const rows = logs.map((log) => ({ ...log, id: this.#nextId++ }));
    this.#rows.push(...rows);
    return rows.map(toStoredLog);
  }

  /** Matching rows, newest first, at most `limit`, shaped like Dewey's reply. */
  query(filter: LogFilter, limit: number, nowMicros: number): DeweyRow[] {
    return this.#matching(filter)
      .sort((a, b) => b.createdAtMicros - a.createdAtMicros || b.id - a.id)
      .slice(0, limit)
      .map((row) => ({
        id: row.id,
        trace_id: row.trace_id,
        component: row.component,
        level: row.level,
        message: row.message,
        data: row.dataText,
        created_at: formatIsoMicros(row.createdAtMicros),
        age: (nowMicros - row.createdAtMicros) / 1_000_000,
      }));
  }

  /** Deletes matching rows and returns how many went. */
  delete(filter: LogFilter): number {
    const doomed = new Set(this.#matching(filter));
    this.#rows = this.#rows.filter((row) => !doomed.has(row));
    return doomed.size;
  }

  /** Empties the table (ids keep growing) and returns how many rows went. */
  clear(): number {
    const count = this.#rows.length;
    this.#rows = [];
    return count;
  }

  /** Copies of every row, oldest id first. */
  snapshot(): StoredLog[] {
    return this.#rows.map(toStoredLog);
  }

  /** `dewey_get_log_stats` over the current rows. */
  stats(): DeweyStats {
    const byComponent = new Map<string, number>();
    const byLevel = new Map<string, number>();
    let oldest: number | undefined;
    let newest: number | undefined;
    let bytes = 0;
    for (const row of this.#rows) {
      byComponent.set(row.component, (byComponent.get(row.component) ?? 0) + 1);
      byLevel.set(row.level, (byLevel.get(row.level) ?? 0) + 1);
      oldest = oldest === undefined ? row.createdAtMicros : Math.min(oldest, row.createdAtMicros);
      newest = newest === undefined ? row.createdAtMicros : Math.max(newest, row.createdAtMicros);
      bytes +=
        ROW_OVERHEAD_BYTES +
        Buffer.byteLength(row.message) +
        Buffer.byteLength(row.component) +
        (row.dataText ? Buffer.byteLength(row.dataText) : 0);
    }
    return {
      total_count: this.#rows.length,
      count_by_component: countsByFrequency(byComponent),
      count_by_level: countsByFrequency(byLevel),
      oldest_log_at: oldest === undefined ? null : formatIsoMicros(oldest),
      newest_log_at: newest === undefined ? null : formatIsoMicros(newest),
      estimated_db_size: prettySize(PAGE_BYTES * (1 + Math.ceil(bytes / PAGE_BYTES))),
    };
  }

  #matching(filter: LogFilter): Row[] {
    const query = filter.search === undefined ? undefined : parseWebSearch(filter.search);
    const search = query && ((row: Row) => matchesWebSearch(query, this.#vector(row)));
    return this.#rows.filter(
      (row) =>
        (filter.traceId === undefined || row.trace_id === filter.traceId) &&
        (filter.component === undefined || row.component === filter.component) &&
        (filter.minLevel === undefined || isAtLeast(row.level, filter.minLevel)) &&
        (filter.startMicros === undefined || row.createdAtMicros >= filter.startMicros) &&
        (filter.endMicros === undefined || row.createdAtMicros <= filter.endMicros) &&
        (filter.beforeMicros === undefined || row.createdAtMicros < filter.beforeMicros) &&
        (search === undefined || search(row)),
    );
  }

  #vector(row: Row): TsVector {
    let vector = this.#vectors.get(row);
    if (!vector) {
      vector = toTsVector(row.message);
      this.#vectors.set(row, vector);
    }
    return vector;
  }
}

function toStoredLog(row: Row): StoredLog {
  return {
    id: row.id,
    trace_id: row.trace_id,
    component: row.component,
    level: row.level,
    message: row.message,
    // Data arrived as JSON, so a JSON round trip is a faithful (and fast) copy.
    data: row.data === null ? null : JSON.parse(JSON.stringify(row.data)),
    created_at: new Date(Math.floor(row.createdAtMicros / 1000)),
    created_at_iso: formatIsoMicros(row.createdAtMicros),
  };
}

// SQL GROUP BY order is unspecified; most frequent first reads best.
function countsByFrequency(counts: Map<string, number>): Record<string, number> {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return Object.fromEntries(sorted);
}

/** PostgreSQL's `pg_size_pretty`: "8192 bytes", "16 kB", "12 MB". */
export function prettySize(bytes: number): string {
  const limit = 10 * 1024;
  if (bytes < limit) return `${bytes} bytes`;
  // Keep one extra bit and round half up, as pg_size_pretty does.
  let size = Math.floor(bytes / 512);
  for (const unit of ['kB', 'MB', 'GB']) {
    if (size < limit * 2 - 1) return `${Math.floor((size + 1) / 2)} ${unit}`;
    size = Math.floor(size / 1024);
  }
  return `${Math.floor((size + 1) / 2)} TB`;
}
