import type { RedisConnection } from '../../redis/redis-connection.js';
import type { LogEntry } from '../log-entry.js';
import type { RecentCursor, ShardPosition } from './recent-cursor.js';
import type { RecentKeys } from './recent-window.js';

/** The highest sequence part of a stream id: `<ms>-MAX` is the last id of a millisecond. */
const MAX_SEQ = '18446744073709551615';

/** Records asked of a shard per read: about 3 entries each at 1,000 logs/s. */
const CHUNK_RECORDS = 128;

/** One entry as read, with where it sits; `null` for a whole record that `rawMatch` passed over. */
interface Loaded {
  entry: LogEntry | null;
  shard: number;
  id: string;
  seq: number;
  /** The record's time (its id), then the server's accept time: the order across shards. */
  ms: number;
  t: number;
  /** Entries it stands for: 1, or a passed-over record's count. */
  entries: number;
}

/** What a read looks for, and how much work it may do. */
export interface RecentReadOptions {
  /** Most entries to return. */
  limit: number;
  /** Only entries for which this holds count towards `limit` and are returned. @default all */
  match?: (entry: LogEntry) => boolean;
  /**
   * A quick test of a record's raw JSON (its entries as one array): a
   * record that fails it is passed over unparsed. It must hold for every
   * record that has an entry `match` accepts. @default all
   */
  rawMatch?: (entriesJson: string) => boolean;
  /**
   * Most entries to look at before answering with what was found; the
   * cursor then continues where it stopped. @default 1000000
   */
  maxScan?: number;
  /**
   * Records are not read past this time (ms): backward, those older than
   * it; forward, those at or after it. @default none
   */
  stopMs?: number;
  /**
   * When to stop reading (`Date.now()` ms) and answer with what was found;
   * the cursor continues from there. @default none
   */
  deadline?: number;
}

/** The answer to a read. */
export interface RecentReadResult {
  /** Matching entries, oldest first going forward, newest first going backward. */
  entries: LogEntry[];
  /** Where the next read in the same direction continues. */
  cursor: RecentCursor;
  /**
   * Where a read continues right after `entries[index]` (-1: before the
   * first), for an answer that returns fewer entries than it read.
   */
  cursorAfter(index: number): RecentCursor;
  /**
   * Forward only: entries that aged out of the window between the cursor
   * and what was read (`true` when the count is unknown: the window was
   * emptied meanwhile).
   */
  missed?: number | true;
  /** Entries looked at. */
  scanned: number;
  /** Every shard was read to its end (forward) or to `stopMs` (backward). */
  exhausted: boolean;
  /** The time (ms) of the last record read, when any was: how far the read reached. */
  reachedMs?: number;
}

/** What a window holds now, over every shard. */
export interface RecentSpan {
  /** The oldest and newest records' times (ms), null when empty. */
  oldest: number | null;
  newest: number | null;
  /**
   * From when (ms) the window holds every accepted entry: the latest, over
   * the shards, of when each began to record and of its newest trimmed
   * record. Null when a shard never recorded.
   */
  complete_since: number | null;
  entries: number;
  bytes: number;
}

/**
 * Reads the recent window (docs/data-path.md#recent-window) of every shard:
 * forward from a cursor (a tail), backward over a time range (a query), and
 * what it spans. Records of different shards are merged in the order they
 * were accepted, by record time, then the server's accept time.
 *
 * Give it a connection of its own: a long read must not delay the writes
 * that acknowledge entries.
 */
export class RecentReader {
  constructor(
    private readonly redis: RedisConnection,
    /** Each shard's keys, in shard order. */
    readonly shards: readonly RecentKeys[],
  ) {}

  /** Marks when each shard's window began to record, unless it already has (server start). */
  async markStarted(): Promise<void> {
    const now = Date.now();
    await Promise.all(this.shards.map((keys) => this.redis.hsetnx(keys.account, 'started', now)));
  }

  /** A forward cursor at the window's current end: a tail from it sees only what comes next. */
  async end(): Promise<RecentCursor> {
    const shards = await Promise.all(
      this.shards.map(async (keys): Promise<ShardPosition> => {
        const [last] = (await this.redis.xrevrange(keys.stream, '+', '-', 'COUNT', 1)) as Rec[];
        if (last) {
          const { s, n } = fieldsOf(last);
          return { id: last[0], seq: s + n - 1 };
        }
        const seq = Number((await this.redis.hget(keys.account, 'seq')) ?? 0);
        return { id: '0-0', seq };
      }),
    );
    return { direction: 'forward', shards };
  }

  /** A cursor at time `ms`: forward, the entries recorded from then on; backward, those until then. */
  at(ms: number, direction: RecentCursor['direction']): RecentCursor {
    const at = Math.max(0, Math.floor(ms));
    const id = direction === 'forward' ? `${at}-0` : `${at}-${MAX_SEQ}`;
    return { direction, shards: this.shards.map(() => ({ id, seq: null })) };
  }

  /**
   * Reads from `cursor` in its direction, merging the shards, until `limit`
   * entries match, `maxScan` were looked at, or the shards are exhausted.
   */
  async read(cursor: RecentCursor, options: RecentReadOptions): Promise<RecentReadResult> {
    const { limit, match = () => true, maxScan = 1_000_000, stopMs, rawMatch, deadline } = options;
    const forward = cursor.direction === 'forward';
    const streams = this.shards.map(
      (keys, index) =>
        new ShardStream(
          this.redis,
          keys.stream,
          index,
          cursor.shards[index] ?? (forward ? { id: '0-0', seq: null } : { id: '+', seq: null }),
          forward,
          stopMs,
          rawMatch,
        ),
    );
    const entries: LogEntry[] = [];
    const after: ShardPosition[][] = [];
    let scanned = 0;
    let reachedMs: number | undefined;
    while (entries.length < limit && scanned < maxScan) {
      if (streams.some((stream) => stream.needsFill())) {
        if (deadline !== undefined && Date.now() >= deadline) break;
        await Promise.all(streams.map((stream) => stream.fill()));
      }
      let next: ShardStream | undefined;
      for (const stream of streams) {
        const head = stream.head();
        if (!head) continue;
        const best = next?.head();
        if (!best || before(head, best) === forward) next = stream;
      }
      if (!next) break;
      const item = next.take();
      reachedMs = item.ms;
      scanned += item.entries;
      if (item.entry !== null && match(item.entry)) {
        entries.push(item.entry);
        after.push(streams.map((stream) => stream.position));
      }
    }
    const missed = forward ? missedOf(streams) : undefined;
    return {
      entries,
      cursor: { direction: cursor.direction, shards: streams.map((stream) => stream.position) },
      cursorAfter: (index) => ({
        direction: cursor.direction,
        shards: index < 0 ? cursor.shards : (after[index] ?? after.at(-1) ?? cursor.shards),
      }),
      ...(missed === undefined ? {} : { missed }),
      scanned,
      exhausted: streams.every((stream) => stream.exhausted()),
      ...(reachedMs === undefined ? {} : { reachedMs }),
    };
  }

  /**
   * Every entry of a trace still in the window, oldest first, from each
   * shard's list of the trace's records (recent-window.lua): no scan.
   */
  async trace(traceId: string): Promise<LogEntry[]> {
    const perShard = await Promise.all(
      this.shards.map(async (keys, shard) => {
        const ids = [...new Set(await this.redis.lrange(`${keys.stream}:t:${traceId}`, 0, -1))];
        const records = await Promise.all(
          ids.map(async (id) => ((await this.redis.xrange(keys.stream, id, id)) as Rec[])[0]),
        );
        const loaded: Loaded[] = [];
        for (const record of records) {
          if (!record) continue; // trimmed since
          const { s, t, e } = fieldsOf(record);
          const ms = idMs(record[0]);
          (JSON.parse(e) as LogEntry[]).forEach((entry, index) => {
            if (entry.trace_id === traceId) {
              loaded.push({ entry, shard, id: record[0], seq: s + index, ms, t, entries: 1 });
            }
          });
        }
        return loaded;
      }),
    );
    return perShard
      .flat()
      .sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0))
      .map((item) => item.entry as LogEntry);
  }

  /**
   * The counter buckets (recent-window.lua) of every shard that start
   * within [fromMs, toMs], as their hashes: `c|<field>` counts,
   * `x|<field>` the earliest entry's JSON, `l|<field>` the latest time.
   */
  async buckets(
    fromMs: number,
    toMs: number,
    bucketMs: number,
  ): Promise<{ startMs: number; fields: Record<string, string> }[]> {
    const first = Math.ceil(fromMs / bucketMs);
    const last = Math.floor(toMs / bucketMs);
    const reads: Promise<{ startMs: number; fields: Record<string, string> }>[] = [];
    for (const keys of this.shards) {
      for (let bucket = first; bucket <= last; bucket++) {
        reads.push(
          this.redis
            .hgetall(`${keys.stream}:b:${bucket}`)
            .then((fields) => ({ startMs: bucket * bucketMs, fields })),
        );
      }
    }
    return Promise.all(reads);
  }

  /** What the window holds now, and since when it is complete. */
  async span(): Promise<RecentSpan> {
    const shards = await Promise.all(
      this.shards.map(async (keys) => {
        const [[first], [last], account] = await Promise.all([
          this.redis.xrange(keys.stream, '-', '+', 'COUNT', 1) as Promise<Rec[]>,
          this.redis.xrevrange(keys.stream, '+', '-', 'COUNT', 1) as Promise<Rec[]>,
          this.redis.hmget(keys.account, 'started', 'trimmed', 'bytes'),
        ]);
        const [started, trimmed, bytes] = account.map((value) =>
          value === null ? undefined : Number(value),
        );
        const held = first && last ? fieldsOf(last).s + fieldsOf(last).n - fieldsOf(first).s : 0;
        return {
          oldest: first ? idMs(first[0]) : undefined,
          newest: last ? idMs(last[0]) : undefined,
          since:
            started === undefined
              ? undefined
              : Math.max(started, trimmed === undefined ? 0 : trimmed + 1),
          entries: held,
          bytes: bytes ?? 0,
        };
      }),
    );
    const times = (pick: (shard: (typeof shards)[number]) => number | undefined) =>
      shards.map(pick).filter((ms): ms is number => ms !== undefined);
    const oldest = times((shard) => shard.oldest);
    const newest = times((shard) => shard.newest);
    const since = times((shard) => shard.since);
    return {
      oldest: oldest.length > 0 ? Math.min(...oldest) : null,
      newest: newest.length > 0 ? Math.max(...newest) : null,
      complete_since: since.length === shards.length ? Math.max(...since) : null,
      entries: shards.reduce((sum, shard) => sum + shard.entries, 0),
      bytes: shards.reduce((sum, shard) => sum + shard.bytes, 0),
    };
  }
}

/** A stream record as ioredis returns it: its id and its fields, name then value. */
type Rec = [id: string, fields: string[]];

/** `a` comes before `b` in the order of acceptance. */
function before(a: Loaded, b: Loaded): boolean {
  if (a.ms !== b.ms) return a.ms < b.ms;
  if (a.t !== b.t) return a.t < b.t;
  if (a.shard !== b.shard) return a.shard < b.shard;
  return a.seq < b.seq;
}

function idMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** A record's fields, in the order recent-window.lua writes them: s, n, b, t, e. */
function fieldsOf(record: Rec): { s: number; n: number; t: number; e: string } {
  const fields = record[1];
  return {
    s: Number(fields[1]),
    n: Number(fields[3]),
    t: Number(fields[7]),
    e: fields[9] ?? '[]',
  };
}

/** Forward reads: the entries that aged out between the cursor and the first record read. */
function missedOf(streams: readonly ShardStream[]): number | true | undefined {
  let missed = 0;
  for (const stream of streams) {
    if (stream.missed === true) return true;
    missed += stream.missed;
  }
  return missed > 0 ? missed : undefined;
}

/** One shard's records, read a chunk at a time in one direction, as entries. */
class ShardStream {
  private buffer: Loaded[] = [];
  private at = 0;
  private done = false;
  /** Where the next chunk starts (exclusive once a record was read). */
  private next: string;
  /** Entries that aged out before the first record read (forward, exact seq only). */
  missed: number | true = 0;
  private first = true;

  constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
    private readonly shard: number,
    /** What has been read: it moves with each entry taken. */
    public position: ShardPosition,
    private readonly forward: boolean,
    private readonly stopMs: number | undefined,
    private readonly rawMatch: ((entriesJson: string) => boolean) | undefined,
  ) {
    this.next = position.id;
  }

  head(): Loaded | undefined {
    return this.buffer[this.at];
  }

  take(): Loaded {
    const item = this.buffer[this.at++] as Loaded;
    this.position = { id: item.id, seq: item.seq };
    return item;
  }

  needsFill(): boolean {
    return !this.done && this.at >= this.buffer.length;
  }

  exhausted(): boolean {
    return this.done && this.at >= this.buffer.length;
  }

  /** Reads the next chunk when every entry read so far was taken. */
  async fill(): Promise<void> {
    while (this.needsFill()) {
      const records = (
        this.forward
          ? await this.redis.xrange(
              this.key,
              this.next,
              // An id of milliseconds alone ends at that millisecond's last record.
              this.stopMs === undefined ? '+' : String(Math.floor(this.stopMs) - 1),
              'COUNT',
              CHUNK_RECORDS,
            )
          : await this.redis.xrevrange(
              this.key,
              this.next,
              this.stopMs === undefined ? '-' : String(Math.max(0, Math.floor(this.stopMs))),
              'COUNT',
              CHUNK_RECORDS,
            )
      ) as Rec[];
      if (records.length < CHUNK_RECORDS) this.done = true;
      this.buffer = [];
      this.at = 0;
      for (const record of records) this.load(record);
      const last = records.at(-1);
      if (last) this.next = `(${last[0]}`;
    }
  }

  /** Adds a record's entries to the buffer, in this direction, past the position. */
  private load(record: Rec): void {
    const [id] = record;
    const { s, n, t, e } = fieldsOf(record);
    const { seq } = this.position;
    if (this.first && this.forward && seq !== null) {
      if (s + n - 1 < seq && id !== this.position.id) this.missed = true;
      else if (s > seq + 1) this.missed = s - seq - 1;
    }
    this.first = false;
    const ms = idMs(id);
    if (this.rawMatch && !this.rawMatch(e)) {
      // Passed over whole: the position moves to its last entry going
      // forward, its first going backward.
      const seqOf = this.forward ? s + n - 1 : s;
      const unread =
        seq === null || id !== this.position.id || (this.forward ? seq < s + n - 1 : seq > s);
      if (unread)
        this.buffer.push({ entry: null, shard: this.shard, id, seq: seqOf, ms, t, entries: n });
      return;
    }
    const entries = JSON.parse(e) as LogEntry[];
    const items: Loaded[] = [];
    entries.forEach((entry, index) => {
      const entrySeq = s + index;
      const read =
        seq !== null && id === this.position.id
          ? this.forward
            ? entrySeq <= seq
            : entrySeq >= seq
          : false;
      if (!read) items.push({ entry, shard: this.shard, id, seq: entrySeq, ms, t, entries: 1 });
    });
    if (!this.forward) items.reverse();
    this.buffer.push(...items);
  }
}
