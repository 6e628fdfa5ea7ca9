import { LEVELS, type Level, levelRank } from '@godot/shared';
import { cutText } from './cut-text.js';
import { messagePattern } from './message-pattern.js';
import { createdAtMicros, type ReadEntry } from './read-entry.js';

/** Entries per level; only the levels seen, most severe first. */
export type LevelCounts = Partial<Record<Level, number>>;

/** Entries whose messages differ only by values (message-pattern.ts). */
export interface Pattern {
  pattern: string;
  count: number;
  /** The earliest `created_at` among its entries, as that entry gave it. */
  first: string;
  /** The latest `created_at` among its entries, as that entry gave it. */
  last: string;
  /** Levels seen, most severe first. */
  levels: Level[];
  /** Components seen, in order of arrival; at most {@link MAX_PATTERN_COMPONENTS}. */
  components: string[];
  /** The earliest entry's message, at most {@link MAX_EXAMPLE_CHARS} characters then `…`. */
  example: string;
  /** Up to {@link MAX_PATTERN_TRACES} distinct trace ids, in order of arrival. */
  trace_ids: string[];
}

/** What the listed patterns and `by_component` leave out; every field is always present. */
export interface SummaryOther {
  /** Tracked patterns not listed: beyond `top`, or without an entry at `minLevel` or above. */
  patterns: number;
  /** Entries in no listed pattern: those of `patterns`, plus `untracked`. */
  entries: number;
  /** Entries whose pattern was never tracked, the table being full (`maxPatterns`). */
  untracked: number;
  /** Entries of components beyond `maxComponents`: in `total` and `by_level`, not `by_component`. */
  untracked_components: number;
}

/**
 * A summary of entries: `total` = Σ `patterns[].count` + `other.entries`,
 * and = Σ `by_level`.
 */
export interface Summary {
  total: number;
  /** Components with the most entries first (ties: by name). */
  by_component: Record<string, LevelCounts>;
  by_level: LevelCounts;
  patterns: Pattern[];
  other: SummaryOther;
}

/** Entries of one pattern, level and component, counted together (`SummaryBuilder.addGroup`). */
export interface EntryGroup {
  pattern: string;
  level: Level;
  component: string;
  count: number;
  /** The earliest entry's `created_at`; its message is `example` and its trace id `trace_id`. */
  first: string;
  /** The latest entry's `created_at`. */
  last: string;
  example: string;
  trace_id: string | null;
}

/** `SummaryBuilder` limits: everything a client sends is bounded before it becomes state. */
export interface SummaryBuilderOptions {
  /**
   * Distinct patterns tracked; the last fifth are kept for patterns first
   * seen at WARN or ERROR, so that INFO chatter cannot fill the table before
   * an error arrives. Entries of patterns met when it is full count in
   * `other.untracked`. @default 5000
   */
  maxPatterns?: number;
  /** Distinct components counted in `by_component`. @default 1000 */
  maxComponents?: number;
}

/** What `SummaryBuilder.result` lists. */
export interface SummaryResultOptions {
  /** Patterns listed. @default 20 */
  top?: number;
  /** Only patterns with an entry at this level or above. @default undefined (all) */
  minLevel?: Level;
}

/** Components listed per pattern. */
export const MAX_PATTERN_COMPONENTS = 10;
/** Trace ids listed per pattern. */
export const MAX_PATTERN_TRACES = 3;
/** Characters of a pattern's example message. */
export const MAX_EXAMPLE_CHARS = 300;

const WARN_RANK = levelRank('WARN');
/** Levels most severe first: the order of every level list and count in a summary. */
const BY_SEVERITY: readonly Level[] = [...LEVELS].reverse();

interface Tracked {
  pattern: string;
  count: number;
  first: string;
  firstAt: number;
  last: string;
  lastAt: number;
  /** Bit `levelRank(level)` set for each level seen. */
  levels: number;
  maxRank: number;
  components: string[];
  example: string;
  traceIds: string[];
}

/**
 * Summarises entries as they stream past (`add` each, in any order; then
 * `result`, as often as wanted): counts by level and component, and the
 * message patterns (message-pattern.ts) with how often and when each was
 * seen. Memory stays bounded whatever the entries (SummaryBuilderOptions).
 *
 * Times are compared as instants (`createdAtMicros`), so Godot's
 * `…T10:00:00.123Z` and Dewey's `…T10:00:00.123456` mix; a pattern's
 * `first`/`last` are the `created_at` strings of its earliest and latest
 * entries as given. An unparsable `created_at` is used only while no
 * parsable one was seen.
 */
export class SummaryBuilder {
  readonly #maxPatterns: number;
  readonly #maxMildPatterns: number;
  readonly #maxComponents: number;
  readonly #patterns = new Map<string, Tracked>();
  readonly #components = new Map<string, number[]>();
  readonly #levels = [0, 0, 0, 0, 0];
  #total = 0;
  #untracked = 0;
  #untrackedComponents = 0;

  constructor(options: SummaryBuilderOptions = {}) {
    this.#maxPatterns = Math.max(1, Math.floor(options.maxPatterns ?? 5000));
    this.#maxMildPatterns = this.#maxPatterns - Math.floor(this.#maxPatterns / 5);
    this.#maxComponents = Math.max(0, Math.floor(options.maxComponents ?? 1000));
  }

  /** Counts one entry. */
  add(entry: ReadEntry): void {
    this.addGroup({
      pattern: messagePattern(entry.message),
      level: entry.level,
      component: entry.component,
      count: 1,
      first: entry.created_at,
      last: entry.created_at,
      example: entry.message,
      trace_id: entry.trace_id,
    });
  }

  /**
   * Counts `count` entries of one pattern, level and component at once, as
   * the recent window's counters hold them (docs/data-path.md#recent-window):
   * `first` and `example` are its earliest entry's, `last` its latest's.
   */
  addGroup(group: EntryGroup): void {
    const { count, component } = group;
    const rank = levelRank(group.level);
    this.#total += count;
    this.#levels[rank] = (this.#levels[rank] ?? 0) + count;
    this.#countComponent(component, rank, count);

    const key = group.pattern;
    const firstAt = createdAtMicros(group.first);
    const lastAt = createdAtMicros(group.last);
    const tracked = this.#patterns.get(key);
    if (tracked === undefined) {
      const room = rank >= WARN_RANK ? this.#maxPatterns : this.#maxMildPatterns;
      if (this.#patterns.size >= room) {
        this.#untracked += count;
        return;
      }
      this.#patterns.set(key, {
        pattern: key,
        count,
        first: group.first,
        firstAt,
        last: group.last,
        lastAt,
        levels: 1 << rank,
        maxRank: rank,
        components: [component],
        example: cutText(group.example, MAX_EXAMPLE_CHARS),
        traceIds: group.trace_id === null ? [] : [group.trace_id],
      });
      return;
    }
    tracked.count += count;
    tracked.levels |= 1 << rank;
    if (rank > tracked.maxRank) tracked.maxRank = rank;
    // NaN never wins a comparison; a parsable time replaces an unparsable one.
    if (firstAt < tracked.firstAt || (Number.isNaN(tracked.firstAt) && !Number.isNaN(firstAt))) {
      tracked.first = group.first;
      tracked.firstAt = firstAt;
      tracked.example = cutText(group.example, MAX_EXAMPLE_CHARS);
    }
    if (lastAt > tracked.lastAt || (Number.isNaN(tracked.lastAt) && !Number.isNaN(lastAt))) {
      tracked.last = group.last;
      tracked.lastAt = lastAt;
    }
    const { components, traceIds } = tracked;
    if (components.length < MAX_PATTERN_COMPONENTS && !components.includes(component)) {
      components.push(component);
    }
    const traceId = group.trace_id;
    if (traceId !== null && traceIds.length < MAX_PATTERN_TRACES && !traceIds.includes(traceId)) {
      traceIds.push(traceId);
    }
  }

  /** Whether `pattern` is counted already. */
  has(pattern: string): boolean {
    return this.#patterns.has(pattern);
  }

  /** Offers a trace id to a pattern already counted, within {@link MAX_PATTERN_TRACES}. */
  addTraceId(pattern: string, traceId: string): void {
    const traceIds = this.#patterns.get(pattern)?.traceIds;
    if (traceIds && traceIds.length < MAX_PATTERN_TRACES && !traceIds.includes(traceId)) {
      traceIds.push(traceId);
    }
  }

  /**
   * The summary so far. Patterns are ranked by count, ties broken by the
   * most severe level seen (ERROR first), then the latest entry. Errors are
   * not crowded out: when patterns with a WARN or ERROR entry exist, they
   * get at least half of the `top` places (rounded up), taken from the
   * lowest-ranked others; the list stays in rank order.
   */
  result(options: SummaryResultOptions = {}): Summary {
    const top = Math.max(0, Math.floor(options.top ?? 20));
    const minRank = options.minLevel === undefined ? 0 : levelRank(options.minLevel);
    const ranked = [...this.#patterns.values()]
      .filter((tracked) => tracked.maxRank >= minRank)
      .sort(byRank);
    const severe = ranked.filter(isSevere);
    const mild = ranked.filter((tracked) => !isSevere(tracked));
    // The severe patterns the plain ranking lists, raised to the reserved share when there are more.
    const severeListed = Math.min(
      severe.length,
      Math.max(ranked.slice(0, top).filter(isSevere).length, Math.ceil(top / 2)),
    );
    const kept = new Set([
      ...severe.slice(0, severeListed),
      ...mild.slice(0, Math.max(0, top - severeListed)),
    ]);
    const listed = ranked.filter((tracked) => kept.has(tracked));

    let listedEntries = 0;
    for (const tracked of listed) listedEntries += tracked.count;
    return {
      total: this.#total,
      by_component: Object.fromEntries(
        [...this.#components]
          .map(([component, counts]) => ({ component, counts, total: sum(counts) }))
          .sort((a, b) => b.total - a.total || (a.component < b.component ? -1 : 1))
          .map(({ component, counts }) => [component, levelCounts(counts)]),
      ),
      by_level: levelCounts(this.#levels),
      patterns: listed.map(toPattern),
      other: {
        patterns: this.#patterns.size - listed.length,
        entries: this.#total - listedEntries,
        untracked: this.#untracked,
        untracked_components: this.#untrackedComponents,
      },
    };
  }

  #countComponent(component: string, rank: number, count: number): void {
    let counts = this.#components.get(component);
    if (counts === undefined) {
      if (this.#components.size >= this.#maxComponents) {
        this.#untrackedComponents += count;
        return;
      }
      counts = [0, 0, 0, 0, 0];
      this.#components.set(component, counts);
    }
    counts[rank] = (counts[rank] ?? 0) + count;
  }
}

function isSevere(tracked: Tracked): boolean {
  return tracked.maxRank >= WARN_RANK;
}

/** Rank order: count, then most severe level, then latest entry, then the pattern's text. */
function byRank(a: Tracked, b: Tracked): number {
  return (
    b.count - a.count ||
    b.maxRank - a.maxRank ||
    (b.lastAt || 0) - (a.lastAt || 0) ||
    (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0)
  );
}

function toPattern(tracked: Tracked): Pattern {
  return {
    pattern: tracked.pattern,
    count: tracked.count,
    first: tracked.first,
    last: tracked.last,
    levels: BY_SEVERITY.filter((level) => (tracked.levels & (1 << levelRank(level))) !== 0),
    components: [...tracked.components],
    example: tracked.example,
    trace_ids: [...tracked.traceIds],
  };
}

function sum(counts: readonly number[]): number {
  let total = 0;
  for (const count of counts) total += count;
  return total;
}

/** Counts indexed by level rank, as an object of the levels seen, most severe first. */
function levelCounts(counts: readonly number[]): LevelCounts {
  const result: LevelCounts = {};
  for (const level of BY_SEVERITY) {
    const count = counts[levelRank(level)] ?? 0;
    if (count > 0) result[level] = count;
  }
  return result;
}
