import { type DeweyQueryArgs, encodeCursor } from '@godot/shared';
import { z } from 'zod';
import { queryOutputSchema, queryResult } from '../../query/query-result.js';
import { isoMicros, queryWithTimeWindow } from '../../query/time-window.js';
import type { EntryFilter } from '../../read/entry-filter.js';
import { ReadInputError } from '../../read/read-errors.js';
import { cursorInput } from '../../read/read-inputs.js';
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
  limit: z
    .number({ error: 'must be an integer from 1 to 1000' })
    .int({ error: 'must be an integer from 1 to 1000' })
    .min(1, { error: 'must be an integer from 1 to 1000' })
    .max(1000, { error: 'must be an integer from 1 to 1000' })
    .nullable()
    .optional()
    .describe('Maximum rows, 1…1000 (default 100).'),
  cursor: z
    .string({ error: 'must be a string' })
    .nullable()
    .optional()
    .describe('The next_cursor of the previous answer, with the same filters: the next page.'),
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
    if (input.cursor) {
      if (!recent)
        throw new ReadInputError('cursor', 'cannot be followed: the recent window is off');
      const page = await queryRecent(recent, filter, limit, cursorInput(input.cursor, 'backward'));
      return queryResult(page.logs, deps.maxReplyBytes, recentMarks(page.next));
    }
    if (recent && fromMs !== undefined && (await windowCovers(recent, fromMs))) {
      const page = await queryRecent(recent, filter, limit);
      return queryResult(page.logs, deps.maxReplyBytes, recentMarks(page.next));
    }
    const { cursor: _cursor, ...args } = definedOnly(input);
    const { logs, ...marks } = await queryWithTimeWindow(deps.dewey, args as DeweyQueryArgs);
    return queryResult(logs, deps.maxReplyBytes, { source: 'dewey', ...marks });
  },
});

function recentMarks(next: Parameters<typeof encodeCursor>[0] | undefined) {
  return next
    ? { source: 'recent' as const, next_cursor: encodeCursor(next) }
    : { source: 'recent' as const };
}
