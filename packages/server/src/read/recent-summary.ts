import {
  type DeweyClient,
  GROUP_SEPARATOR,
  isAtLeast,
  type Level,
  parseLevel,
  RECENT_BUCKET_MS,
  type RecentReader,
} from '@godot/shared';
import { queryWithTimeWindow } from '../query/time-window.js';
import type { ReadEntry } from './analysis/read-entry.js';
import { type Summary, SummaryBuilder } from './analysis/summarize.js';
import { entryMatcher } from './entry-filter.js';
import { windowCovers } from './recent-query.js';

/** What a summary covers. */
export interface SummaryRequest {
  sinceMs: number;
  untilMs: number;
  component?: string;
  level?: Level;
  /** Patterns listed. */
  top: number;
}

/** A summary, and how it was made. */
export interface SummaryAnswer extends Summary {
  /** `recent`: exact, from the window's counters; `dewey`: from a sample of Dewey's rows. */
  source: 'recent' | 'dewey';
  /** Set when the counts come from a sample (Dewey's newest rows), not from every entry. */
  sampled?: true;
  sample_size?: number;
}

/** Dewey's largest page: the sample a summary beyond the window works from. */
const DEWEY_SAMPLE = 1000;

/**
 * `logger_summary`'s counts (docs/product.md#logger_summary). When the
 * recent window holds everything since `sinceMs`, they are exact, and read
 * without a scan of the window: whole 10 s buckets from its counters
 * (recent-window.lua), and the entries of the part of a bucket before the
 * first whole one from the window itself. Otherwise they come from Dewey's
 * newest matching rows, and say they are a sample.
 */
export async function summarize(
  deps: { recent?: RecentReader; dewey: DeweyClient },
  request: SummaryRequest,
): Promise<SummaryAnswer> {
  const builder = new SummaryBuilder();
  const { recent } = deps;
  const keep = (level: Level, component: string) =>
    (request.component === undefined || component === request.component) &&
    (request.level === undefined || isAtLeast(level, request.level));
  if (recent && (await windowCovers(recent, request.sinceMs))) {
    const boundary = Math.ceil(request.sinceMs / RECENT_BUCKET_MS) * RECENT_BUCKET_MS;
    if (boundary > request.sinceMs) {
      const match = entryMatcher({ component: request.component, level: request.level });
      const edge = await recent.read(recent.at(request.sinceMs, 'forward'), {
        limit: Number.MAX_SAFE_INTEGER,
        maxScan: Number.MAX_SAFE_INTEGER,
        match,
        stopMs: Math.min(boundary, request.untilMs + 1),
      });
      for (const entry of edge.entries) builder.add(entry as ReadEntry);
    }
    const buckets = await recent.buckets(boundary, request.untilMs, RECENT_BUCKET_MS);
    // Oldest first: a pattern's first bucket holds its earliest entry, and
    // later ones need only their counts. A pause between buckets lets the
    // writes that acknowledge entries run meanwhile.
    buckets.sort((a, b) => a.startMs - b.startMs);
    for (const bucket of buckets) {
      addBucket(builder, bucket.fields, keep);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { ...builder.result({ top: request.top }), source: 'recent' };
  }
  const { logs } = await queryWithTimeWindow(deps.dewey, {
    start_time: new Date(request.sinceMs).toISOString(),
    ...(request.component === undefined ? {} : { component: request.component }),
    ...(request.level === undefined ? {} : { level: request.level }),
    limit: DEWEY_SAMPLE,
  });
  for (const row of logs) {
    if (parseLevel(row.level) !== undefined) builder.add(row as unknown as ReadEntry);
  }
  return {
    ...builder.result({ top: request.top }),
    source: 'dewey',
    sampled: true,
    sample_size: logs.length,
  };
}

/**
 * Adds one counter bucket's groups: `c|<field>` counts, `x|<field>` the
 * earliest entry, `l|<field>` the latest time, `t|<field>` trace ids.
 */
function addBucket(
  builder: SummaryBuilder,
  fields: Record<string, string>,
  keep: (level: Level, component: string) => boolean,
): void {
  for (const [name, value] of Object.entries(fields)) {
    if (!name.startsWith('c|')) continue;
    const field = name.slice(2);
    const [pattern = '', levelText = '', component = ''] = field.split(GROUP_SEPARATOR);
    const level = parseLevel(levelText);
    if (level === undefined || !keep(level, component)) continue;
    // A pattern seen in an earlier bucket has its earliest entry already.
    let earliest: { m?: string; t?: string | null; at?: string } = {};
    if (!builder.has(pattern)) {
      try {
        earliest = JSON.parse(fields[`x|${field}`] ?? '{}');
      } catch {
        // A bucket written by another version: counted without its example.
      }
    }
    const group = {
      pattern,
      level,
      component,
      first: earliest.at ?? '',
      last: fields[`l|${field}`] ?? earliest.at ?? '',
      example: earliest.m ?? '',
    };
    // The bucket keeps up to 3 of the group's trace ids: each is offered to
    // the pattern, the counts going with the first.
    const traces = (fields[`t|${field}`] ?? '').split(',').filter((id) => id !== '');
    builder.addGroup({ ...group, count: Number(value), trace_id: traces[0] ?? null });
    for (const trace of traces.slice(1)) builder.addTraceId(pattern, trace);
  }
}
