import { type DeweyQueryArgs, encodeCursor, type LogRow, type RecentCursor } from '@godot/shared';
import { z } from 'zod';
import { queryOutputSchema } from '../../query/query-result.js';
import { isoMicros, queryWithTimeWindow, type WindowedRows } from '../../query/time-window.js';
import type { ReadEntry } from '../../read/analysis/read-entry.js';
import { decodeDeweyCursor, deweyCursorAfter, isDeweyCursor } from '../../read/dewey-cursor.js';
import type { EntryFilter } from '../../read/entry-filter.js';
import { ReadInputError } from '../../read/read-errors.js';
import { cursorInput, limitSchema } from '../../read/read-inputs.js';
import { DEFAULT_MAX_BYTES, entryListResult, readFormatShape } from '../../read/read-result.js';
import { queryRecent, windowCovers } from '../../read/recent-query.js';
import { defineTool } from './define-tool.js';
import { definedOnly, isoTimeSchema, levelSchema, traceIdSchema } from './input-rules.js';

/** `logger_query` input (docs/product.md, `logger_query`). */
export const queryInputShape = {
  trace_id: traceIdSchema.describe('Only entries with this trace id (UUID).'),
  component: z
    .string({ error: 'must be a string' })
    .nullable()
    .optional()
    .describe('Only this component.'),
  level: levelSchema.nullable().optional().describe('Minimum level.'),
  start_time: isoTimeSchema
    .nullable()
    .optional()
    .describe('Only entries at or after this time (ISO-8601 date-time, or a date = midnight UTC).'),
  end_time: isoTimeSchema
    .nullable()
    .optional()
    .describe(
      'Only entries at or before this time (ISO-8601 date-time, or a date = midnight UTC).',
    ),
  search: z
    .string({ error: 'must be a string' })
    .nullable()
    .optional()
    .describe('Full-text search in messages.'),
  limit: limitSchema(1000).nullable().optional().describe('Maximum rows, 1…1000 (default 100).'),
  cursor: z
    .string({ error: 'must be a string' })
    .nullable()
    .optional()
    .describe('The next_cursor of the previous answer, with the same filters: the next page.'),
  ...readFormatShape,
};
export const queryInputSchema = z.object(queryInputShape);
export type QueryInput = z.output<typeof queryInputSchema>;

/** `logger_query`'s structured result; it lives with the code that cuts replies to size. */
export { queryOutputSchema };

/**
 * Reads logs back, newest first (docs/product.md#logger_query): from the
 * recent window when it holds everything since `start_time` (complete,
 * whatever Dewey's time filters do), otherwise from Dewey; cut to
 * `maxReplyBytes` (query-result.ts).
 */
export const loggerQueryTool = defineTool<QueryInput>({
  name: 'logger_query',
  description:
    'Read past logs, newest first. Filters: trace_id, component, level (minimum), start_time, end_time, search, limit (1-1000, default 100). When start_time lies within Godot\'s recent window (by default the last 15 minutes) the answer is complete and marked "source":"recent"; older ranges come from Dewey ("source":"dewey"). "next_cursor": more rows match; pass it as cursor for the next page. A reply over its size cap is cut and marked "truncated":true. To watch new logs arrive use logger_tail.',
  annotations: { readOnlyHint: true, openWorldHint: false },
  input: queryInputSchema,
  output: queryOutputSchema,
  run: async (deps, input) => {
    const limit = input.limit ?? 100;
    const { recent } = deps;
    const fromMs = input.start_time ? Math.floor(isoMicros(input.start_time) / 1000) : undefined;
    const filter: EntryFilter = {
      component: input.component ?? undefined,
      level: input.level ?? undefined,
      trace_id: input.trace_id ?? undefined,
      search: input.search ?? undefined,
      fromMs,
      toMs: input.end_time ? Math.floor(isoMicros(input.end_time) / 1000) : undefined,
    };
    const format = input.format ?? 'json';
    const maxBytes = Math.min(input.max_bytes ?? DEFAULT_MAX_BYTES, deps.maxReplyBytes - 1024);
    const fromWindow = async (cursor?: RecentCursor) => {
      if (!recent) {
        throw new ReadInputError('cursor', 'cannot be followed: the recent window is off');
      }
      const page = await queryRecent(recent, filter, limit, cursor);
      const scanned =
        page.scannedTo === undefined
          ? {}
          : {
              note: `time limit: the window was read back to ${new Date(page.scannedTo).toISOString()}; next_cursor reads on from there`,
            };
      return entryListResult({
        rows: page.logs,
        fields: { source: 'recent', ...scanned },
        format,
        maxBytes,
        more: page.more,
        nextCursor: (index) => encodeCursor(page.cursorAfter(index)),
      });
    };
    if (input.cursor && !isDeweyCursor(input.cursor)) {
      return fromWindow(cursorInput(input.cursor, 'backward'));
    }
    if (!input.cursor && recent && fromMs !== undefined && (await windowCovers(recent, fromMs))) {
      return fromWindow();
    }
    const { cursor, format: _format, max_bytes: _maxBytes, ...filters } = definedOnly(input);
    const args = filters as DeweyQueryArgs;
    if (cursor) {
      // The next page: rows at or before the last one returned, less those already returned.
      const { before, seen } = decodeDeweyCursor(cursor);
      const earlier = args.end_time === undefined || isoMicros(before) < isoMicros(args.end_time);
      const { logs, ...marks } = await queryWithTimeWindow(deps.dewey, {
        ...args,
        ...(earlier ? { end_time: before } : {}),
        limit: Math.min(1000, limit + seen.length),
      });
      const skip = new Set(seen.map(String));
      const rows = logs.filter((row) => !skip.has(String(row.id))).slice(0, limit);
      return deweyResult(rows, marks, limit, format, maxBytes);
    }
    const { logs, ...marks } = await queryWithTimeWindow(deps.dewey, args);
    return deweyResult(logs, marks, limit, format, maxBytes);
  },
});

/**
 * A page of Dewey's rows. Its cursor pages by time (`end_time`), which a
 * Dewey with working time filters follows to its first row; the real
 * Dewey's bug confines Godot to its newest 1000 matching rows, and the
 * answer says so (docs/product.md#logger_query).
 */
function deweyResult(
  rows: LogRow[],
  marks: Omit<WindowedRows, 'logs'>,
  limit: number,
  format: 'json' | 'lines',
  maxBytes: number,
) {
  const note =
    marks.time_filter === 'godot'
      ? {
          note: 'Dewey cannot filter by time (its known bug): Godot filtered its newest 1000 matching rows, and cannot page past them',
        }
      : {};
  return entryListResult({
    // Dewey's rows carry the levels Godot stored: a `ReadEntry`'s.
    rows: rows as unknown as ReadEntry[],
    fields: { source: 'dewey', ...marks, ...note },
    format,
    maxBytes,
    more: rows.length >= limit,
    nextCursor: (index) => deweyCursorAfter(rows, index),
  });
}
