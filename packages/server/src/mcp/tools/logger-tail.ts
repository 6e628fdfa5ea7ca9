import { encodeCursor, logEntrySchema } from '@godot/shared';
import { z } from 'zod';
import { entryMatcher } from '../../read/entry-filter.js';
import { RecentWindowOffError } from '../../read/read-errors.js';
import { cursorInput, limitSchema, sinceSchema, timeOf } from '../../read/read-inputs.js';
import { DEFAULT_MAX_BYTES, entryListResult, readFormatShape } from '../../read/read-result.js';
import { defineTool } from './define-tool.js';
import { levelSchema, traceIdSchema } from './input-rules.js';

/** `logger_tail` input (docs/product.md#logger_tail). */
export const tailInputSchema = z.object({
  cursor: z
    .string({ error: 'must be a string' })
    .nullable()
    .optional()
    .describe('The cursor of the previous answer: continue after it. Omit to start now.'),
  wait_ms: z
    .number({ error: 'must be an integer from 0 to 30000' })
    .int({ error: 'must be an integer from 0 to 30000' })
    .min(0, { error: 'must be an integer from 0 to 30000' })
    .max(30_000, { error: 'must be an integer from 0 to 30000' })
    .nullable()
    .optional()
    .describe('How long to wait for a first match, in ms (0…30000, default 10000).'),
  limit: limitSchema(1000).nullable().optional().describe('Most entries, 1…1000 (default 100).'),
  component: z
    .string({ error: 'must be a string' })
    .nullable()
    .optional()
    .describe('Only this component.'),
  level: levelSchema.nullable().optional().describe('Minimum level.'),
  trace_id: traceIdSchema.describe('Only entries with this trace id (UUID).'),
  search: z
    .string({ error: 'must be a string' })
    .nullable()
    .optional()
    .describe('Case-insensitive text in the message or the data.'),
  since: sinceSchema
    .nullable()
    .optional()
    .describe('Without a cursor: start this far back (10m, 30s, 1h) or at this ISO time, not now.'),
  ...readFormatShape,
});
export type TailInput = z.output<typeof tailInputSchema>;

/** `logger_tail`'s structured result. */
export const tailOutputSchema = z.object({
  logs: z.array(logEntrySchema).optional().describe('New entries, oldest first (format "json")'),
  cursor: z
    .string()
    .describe('Pass it to the next logger_tail call: it continues after the last entry returned'),
  missed: z
    .union([z.number().int().positive(), z.literal(true)])
    .optional()
    .describe(
      'Entries that aged out of the recent window before they were read (true: count unknown)',
    ),
});

/** Long-polls the recent window for entries after a cursor (read/tail-service.ts). */
export const loggerTailTool = defineTool<TailInput>({
  name: 'logger_tail',
  description:
    'Watch logs live, as they are accepted by any Godot server, even while Dewey is down. Returns {logs (oldest first), cursor}: call again with the cursor to get what came next, with no gap. Waits up to wait_ms (default 10 s) for a first match. Without a cursor it starts now (or at since: "10m", ISO time). Filters: component, level (minimum), trace_id, search. Use it while reproducing a problem; to look at the past use logger_query.',
  annotations: { readOnlyHint: true, openWorldHint: false },
  input: tailInputSchema,
  output: tailOutputSchema,
  run: async (deps, input) => {
    const { recent, tails } = deps;
    if (!recent || !tails) throw new RecentWindowOffError();
    const now = Date.now();
    const cursor = input.cursor
      ? cursorInput(input.cursor, 'forward')
      : input.since
        ? recent.at(timeOf(input.since, now) ?? now, 'forward')
        : await recent.end();
    const answer = await tails.tail({
      cursor,
      waitMs: input.wait_ms ?? 10_000,
      limit: input.limit ?? 100,
      match: entryMatcher({
        component: input.component ?? undefined,
        level: input.level ?? undefined,
        trace_id: input.trace_id ?? undefined,
        search: input.search ?? undefined,
      }),
    });
    const missed = answer.missed === undefined ? {} : { missed: answer.missed };
    return entryListResult({
      rows: answer.logs,
      // A cut answer's cursor continues right after its last entry.
      fields: (count) => ({
        cursor: encodeCursor(
          count < answer.logs.length ? answer.cursorAfter(count - 1) : answer.cursor,
        ),
        ...missed,
      }),
      format: input.format ?? 'json',
      maxBytes: Math.min(input.max_bytes ?? DEFAULT_MAX_BYTES, deps.maxReplyBytes - 1024),
      more: false,
      nextCursor: () => undefined,
    });
  },
});
