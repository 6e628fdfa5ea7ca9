/**
 * The replies of the read tools as the CLI reads them: the server's
 * `structuredContent` (docs/product.md#logger_tail). The server's own types
 * are not public API, so these are the CLI's copy of the contract; every
 * field the CLI does not need to print is left out or optional, and the
 * printers cope with any of it missing (an older or newer server).
 */

/** An entry as `logger_tail`, `logger_query` and `logger_trace` return it. */
export interface ReadEntry {
  component: string;
  level: string;
  message: string;
  trace_id: string | null;
  data: Record<string, unknown> | null;
  /** ISO-8601, UTC: `…T10:00:00.123Z` from the recent window, maybe `…T10:00:00.123456` from Dewey. */
  created_at: string;
  /** Dewey's row id, only on rows read from Dewey. */
  id?: number | string;
}

/** `logger_tail`'s reply. */
export interface TailReply {
  /** Oldest first; absent only with `format: "lines"`, which the CLI does not ask for. */
  logs?: ReadEntry[];
  cursor: string;
  /** Entries that aged out of the recent window before they were read; true: how many is unknown. */
  missed?: number | true;
  truncated?: true;
}

/** An entry as a gap of a trace names it. */
export interface TimelineEntryRef {
  component: string;
  message: string;
  created_at: string;
}

/** One component's part in a trace. */
export interface TimelineComponent {
  component: string;
  first: string;
  last: string;
  count: number;
  errors: number;
}

/** A pause between two consecutive entries of a trace. */
export interface TimelineGap {
  ms: number;
  after: TimelineEntryRef;
  before: TimelineEntryRef;
}

/** One MCP request and its response, as the server pairs them from a trace's entries. */
export interface Exchange {
  component: string;
  id: number | string;
  method: string;
  request_at: string;
  response_at: string | null;
  latency_ms: number | null;
  outcome: 'ok' | 'error' | 'no response';
  error_code?: number | string;
  error_message?: string;
  duration_ms?: number;
}

/** One trace's timeline, as the server computes it from its entries. */
export interface TraceTimeline {
  trace_id: string | null;
  count: number;
  start: string | null;
  end: string | null;
  duration_ms: number | null;
  /** In order of first appearance. */
  components: TimelineComponent[];
  /** The longest pauses, longest first. */
  gaps: TimelineGap[];
  /** In order of their requests. */
  exchanges: Exchange[];
  errors: number;
}

/** `logger_trace`'s reply: the timeline's fields, with the entries and where they came from. */
export interface TraceReply extends TraceTimeline {
  /** Oldest first; absent only with `format: "lines"`, which the CLI does not ask for. */
  logs?: ReadEntry[];
  /** Exchanges in all, when more than `exchanges` lists. */
  exchanges_total?: number;
  sources?: { recent: number; dewey: number };
  /** Dewey could not be asked: the entries are the recent window's only. */
  dewey_error?: string;
  /** Dewey returned its most rows: older entries of the trace may be missing. */
  dewey_limited?: true;
  returned?: number;
  /** Not every entry fitted: `next_cursor` continues. */
  truncated?: true;
  next_cursor?: string;
}

/** Entries whose messages differ only by values. */
export interface Pattern {
  pattern: string;
  count: number;
  first: string;
  last: string;
  /** Most severe first. */
  levels: string[];
  components: string[];
  example: string;
  trace_ids: string[];
}

/** `logger_summary`'s reply. */
export interface SummaryReply {
  since: string;
  until: string;
  /** `recent`: exact counts from the recent window; `dewey`: from a sample of Dewey's rows. */
  source?: 'recent' | 'dewey';
  sampled?: true;
  sample_size?: number;
  total: number;
  /** Component → level → count; components with the most entries first. */
  by_component: Record<string, Record<string, number>>;
  patterns: Pattern[];
  /** What the listed patterns leave out. */
  other?: { patterns?: number; entries?: number };
  /** Patterns were left out to fit the reply. */
  truncated?: true;
}
