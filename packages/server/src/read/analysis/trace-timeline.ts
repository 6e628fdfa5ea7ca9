import { cutText } from './cut-text.js';
import { createdAtMicros, type ReadEntry } from './read-entry.js';

/** An entry as a gap names it. */
export interface TimelineEntryRef {
  component: string;
  /** At most {@link MAX_REF_MESSAGE_CHARS} characters, then `…`. */
  message: string;
  created_at: string;
}

/** One component's part in a trace. */
export interface TimelineComponent {
  component: string;
  first: string;
  last: string;
  count: number;
  /** Its ERROR entries. */
  errors: number;
}

/** A pause between two consecutive entries of a trace. */
export interface TimelineGap {
  ms: number;
  /** The entry before the pause: the gap comes after it. */
  after: TimelineEntryRef;
  /** The entry after the pause: the gap comes before it. */
  before: TimelineEntryRef;
}

/** One MCP request and its response, paired by the convention of {@link traceTimeline}. */
export interface Exchange {
  component: string;
  id: number | string;
  method: string;
  request_at: string;
  response_at: string | null;
  /** Between the two entries' `created_at` (stamped when each reached Godot); null without a response. */
  latency_ms: number | null;
  outcome: 'ok' | 'error' | 'no response';
  /** `data.error.code`, or `data.error` itself when it is a number or string. */
  error_code?: number | string;
  /** `data.error.message`, at most {@link MAX_REF_MESSAGE_CHARS} characters. */
  error_message?: string;
  /** The response's `data.duration_ms`, when the service measured it (`@godot/client` does). */
  duration_ms?: number;
}

/** One trace, oldest entry first. */
export interface TraceTimeline {
  trace_id: string | null;
  count: number;
  /** `created_at` of the oldest entry; null when there is none. */
  start: string | null;
  /** `created_at` of the newest entry whose time parses (of the last entry when none does). */
  end: string | null;
  /** From `start` to `end`, to the microsecond; null when either is not a time. */
  duration_ms: number | null;
  /** In order of first appearance. */
  components: TimelineComponent[];
  /** The {@link MAX_GAPS} longest pauses between consecutive entries, longest first. */
  gaps: TimelineGap[];
  /** In order of their requests. */
  exchanges: Exchange[];
  /** ERROR entries. */
  errors: number;
}

/** Gaps listed. */
export const MAX_GAPS = 3;
/** Characters of a message in a gap, and of an exchange's error message. */
export const MAX_REF_MESSAGE_CHARS = 200;

interface Timed {
  entry: ReadEntry;
  at: number;
}

/**
 * The timeline of one trace from its entries, given in any order: sorted
 * oldest first (entries with the same time keep their order; an unparsable
 * `created_at` goes last), with each component's part, the longest pauses,
 * and the MCP exchanges.
 *
 * **Exchanges.** A service logs its MCP traffic as entries whose `data`
 * carries the JSON-RPC `method` (a string) and `id` (a number or a string),
 * as `@godot/client`'s `logger.exchange()` does:
 * - a *request* has `data.method` and `data.id`, and none of `result`,
 *   `error`, `success`: `{"method":"tools/call","id":7}`;
 * - a *response* has `data.id` and a `result`, `error` or `success` key
 *   (`method` too, or not): `{"id":7,"result":true}`.
 * A response pairs with the earliest unpaired request before it from the
 * same component with the same `id` (`7` and `"7"` differ, as in JSON-RPC),
 * and with one request at most. Its outcome is `error` when `data.error` is
 * present and not `null`/`false`, or when `data.success` is `false`; `ok`
 * otherwise. A request left unpaired reads `no response`; a response with no
 * request is not an exchange.
 */
export function traceTimeline(entries: readonly ReadEntry[], traceId?: string): TraceTimeline {
  const sorted = entries
    .map((entry, index) => ({ entry, at: createdAtMicros(entry.created_at), index }))
    .sort((a, b) => orderOf(a.at) - orderOf(b.at) || a.at - b.at || a.index - b.index);
  const first = sorted[0];
  // The latest parsable time: unparsable ones sort last but say nothing of when the trace ended.
  const last = sorted.findLast(({ at }) => !Number.isNaN(at)) ?? sorted.at(-1);
  let errors = 0;
  for (const { entry } of sorted) if (entry.level === 'ERROR') errors++;
  return {
    trace_id:
      traceId ?? sorted.find(({ entry }) => entry.trace_id !== null)?.entry.trace_id ?? null,
    count: sorted.length,
    start: first?.entry.created_at ?? null,
    end: last?.entry.created_at ?? null,
    duration_ms: first && last ? millisBetween(first.at, last.at) : null,
    components: componentsOf(sorted),
    gaps: gapsOf(sorted),
    exchanges: exchangesOf(sorted),
    errors,
  };
}

/** Unparsable times sort after all others (then by arrival), whatever NaN would do. */
function orderOf(at: number): number {
  return Number.isNaN(at) ? 1 : 0;
}

/** Milliseconds from `from` to `to` (microseconds), to the microsecond; null when either is NaN. */
function millisBetween(from: number, to: number): number | null {
  const micros = to - from;
  return Number.isNaN(micros) ? null : micros / 1000;
}

function componentsOf(sorted: readonly Timed[]): TimelineComponent[] {
  const byName = new Map<string, TimelineComponent>();
  for (const { entry } of sorted) {
    let part = byName.get(entry.component);
    if (part === undefined) {
      part = {
        component: entry.component,
        first: entry.created_at,
        last: entry.created_at,
        count: 0,
        errors: 0,
      };
      byName.set(entry.component, part);
    }
    part.last = entry.created_at;
    part.count++;
    if (entry.level === 'ERROR') part.errors++;
  }
  return [...byName.values()];
}

function gapsOf(sorted: readonly Timed[]): TimelineGap[] {
  const gaps: { ms: number; at: number; after: ReadEntry; before: ReadEntry }[] = [];
  for (let index = 1; index < sorted.length; index++) {
    const previous = sorted[index - 1];
    const next = sorted[index];
    if (!previous || !next) continue;
    const ms = millisBetween(previous.at, next.at);
    if (ms !== null && ms > 0)
      gaps.push({ ms, at: index, after: previous.entry, before: next.entry });
  }
  return gaps
    .sort((a, b) => b.ms - a.ms || a.at - b.at)
    .slice(0, MAX_GAPS)
    .map(({ ms, after, before }) => ({ ms, after: refOf(after), before: refOf(before) }));
}

function refOf(entry: ReadEntry): TimelineEntryRef {
  return {
    component: entry.component,
    message: cutText(entry.message, MAX_REF_MESSAGE_CHARS),
    created_at: entry.created_at,
  };
}

function exchangesOf(sorted: readonly Timed[]): Exchange[] {
  const exchanges: Exchange[] = [];
  /** Requests waiting for a response, oldest first, by component and id. */
  const waiting = new Map<string, { exchange: Exchange; at: number }[]>();
  for (const { entry, at } of sorted) {
    const data = entry.data;
    if (data === null || typeof data !== 'object') continue;
    const id = data.id;
    if (!(typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))) continue;
    const key = `${entry.component}\u0000${typeof id}\u0000${id}`;
    if ('result' in data || 'error' in data || 'success' in data) {
      const request = waiting.get(key)?.shift();
      if (request !== undefined) answer(request.exchange, request.at, entry, at);
    } else if (typeof data.method === 'string') {
      const exchange: Exchange = {
        component: entry.component,
        id,
        method: data.method,
        request_at: entry.created_at,
        response_at: null,
        latency_ms: null,
        outcome: 'no response',
      };
      exchanges.push(exchange);
      const queue = waiting.get(key);
      if (queue === undefined) waiting.set(key, [{ exchange, at }]);
      else queue.push({ exchange, at });
    }
  }
  return exchanges;
}

/** Fills in an exchange from its response entry. */
function answer(exchange: Exchange, requestAt: number, response: ReadEntry, at: number): void {
  const data = response.data ?? {};
  exchange.response_at = response.created_at;
  exchange.latency_ms = millisBetween(requestAt, at);
  const error = data.error;
  const failed =
    (error !== undefined && error !== null && error !== false) || data.success === false;
  exchange.outcome = failed ? 'error' : 'ok';
  if (failed) {
    if (typeof error === 'number' || typeof error === 'string') {
      exchange.error_code =
        typeof error === 'string' ? cutText(error, MAX_REF_MESSAGE_CHARS) : error;
    } else if (error !== null && typeof error === 'object') {
      const { code, message } = error as Record<string, unknown>;
      if (typeof code === 'number' || typeof code === 'string') {
        exchange.error_code =
          typeof code === 'string' ? cutText(code, MAX_REF_MESSAGE_CHARS) : code;
      }
      if (typeof message === 'string')
        exchange.error_message = cutText(message, MAX_REF_MESSAGE_CHARS);
    }
  }
  const duration = data.duration_ms;
  if (typeof duration === 'number' && Number.isFinite(duration)) exchange.duration_ms = duration;
}
