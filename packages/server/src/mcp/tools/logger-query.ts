import type { DeweyQueryArgs } from '@godot/shared';
import { z } from 'zod';
import { queryOutputSchema, queryResult } from '../../query/query-result.js';
import { queryWithTimeWindow } from '../../query/time-window.js';
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
};
export const queryInputSchema = z.object(queryInputShape);
export type QueryInput = z.output<typeof queryInputSchema>;

/** `logger_query`'s structured result; it lives with the code that cuts replies to size. */
export { queryOutputSchema };

/** Reads logs back from Dewey, cut to `maxReplyBytes` (query-result.ts). */
export const loggerQueryTool = defineTool<QueryInput>({
  name: 'logger_query',
  description:
    'Read logs back from Dewey, newest first. Filters: trace_id, component, level (minimum), start_time, end_time, search (full text), limit (1-1000, default 100). A reply over its size cap is cut and marked "truncated":true; cut data reads {"_truncated":true,"bytes":N}. "time_filter":"godot": Godot applied the time window to the newest 1000 rows.',
  annotations: { readOnlyHint: true, openWorldHint: false },
  input: queryInputSchema,
  output: queryOutputSchema,
  run: async (deps, input) => {
    const { logs, ...marks } = await queryWithTimeWindow(
      deps.dewey,
      definedOnly(input) as DeweyQueryArgs,
    );
    return queryResult(logs, deps.maxReplyBytes, marks);
  },
});
