import { z } from 'zod';
import { readRowSchema } from '../../query/query-result.js';
import { traceTimeline } from '../../read/analysis/trace-timeline.js';
import { ReadInputError } from '../../read/read-errors.js';
import {
  DEFAULT_MAX_BYTES,
  entryListResult,
  readFormatShape,
  readMarksShape,
} from '../../read/read-result.js';
import { traceEntries } from '../../read/trace-lookup.js';
import { defineTool } from './define-tool.js';
import { rule, traceIdSchema } from './input-rules.js';

/** `logger_trace` input (docs/product.md#logger_trace). */
export const traceInputSchema = z.object({
  trace_id: traceIdSchema
    .refine((value) => value !== null && value !== undefined, { error: 'is required' })
    .describe('The trace id (UUID).'),
  cursor: z
    .string({ error: rule('must be a string') })
    .nullable()
    .optional()
    .describe("The next_cursor of the previous answer: the trace's next entries."),
  ...readFormatShape,
});
export type TraceInput = z.output<typeof traceInputSchema>;

/** Exchanges listed at most; `exchanges_total` counts them all. */
const MAX_EXCHANGES = 50;
/** Components listed at most (each a small object): the timeline's size stays bounded. */
const MAX_COMPONENTS = 100;

const refSchema = z.object({ component: z.string(), message: z.string(), created_at: z.string() });

/** `logger_trace`'s structured result. */
export const traceOutputSchema = z.object({
  logs: z
    .array(readRowSchema)
    .optional()
    .describe('The trace\'s entries, oldest first (format "json")'),
  trace_id: z.string(),
  count: z.number().int().describe('Entries in the trace'),
  start: z.string().nullable(),
  end: z.string().nullable(),
  duration_ms: z.number().nullable(),
  errors: z.number().int().describe('ERROR entries'),
  components: z
    .array(
      z.object({
        component: z.string(),
        first: z.string(),
        last: z.string(),
        count: z.number().int(),
        errors: z.number().int(),
      }),
    )
    .describe('Each component: first and last time, entries, errors'),
  gaps: z
    .array(z.object({ ms: z.number(), after: refSchema, before: refSchema }))
    .describe('The longest pauses between consecutive entries: where the time went'),
  exchanges: z
    .array(
      z.object({
        component: z.string(),
        id: z.union([z.number(), z.string()]),
        method: z.string(),
        request_at: z.string(),
        response_at: z.string().nullable(),
        latency_ms: z.number().nullable(),
        outcome: z.enum(['ok', 'error', 'no response']),
        error_code: z.union([z.number(), z.string()]).optional(),
        error_message: z.string().optional(),
        duration_ms: z.number().optional(),
      }),
    )
    .describe('MCP requests paired with their responses (README, "MCP exchanges in a trace")'),
  exchanges_total: z.number().int().optional().describe('Exchanges in all, when more than listed'),
  timeline_truncated: z
    .literal(true)
    .optional()
    .describe('max_bytes left no room for every exchange, gap or component: raise it to see them'),
  sources: z.object({ recent: z.number().int(), dewey: z.number().int() }),
  dewey_error: z
    .string()
    .optional()
    .describe('Dewey could not be asked: entries of the window only'),
  dewey_limited: z
    .literal(true)
    .optional()
    .describe('Dewey returned its 1000 rows: older entries of the trace may be missing'),
  ...readMarksShape,
});

/** One trace across components, in one call (read/trace-lookup.ts, read/analysis/trace-timeline.ts). */
export const loggerTraceTool = defineTool<TraceInput>({
  name: 'logger_trace',
  description:
    'One trace across every component, in one call: its entries oldest first (recent ones and Dewey\'s, each once), then per component its first and last time, entries and errors, the duration, the longest gaps (where the time went), and MCP exchanges paired request→response with latency and error code ("no response" when none came). Use it when you have a trace_id, after logger_summary; format "lines" halves the size.',
  annotations: { readOnlyHint: true, openWorldHint: false },
  input: traceInputSchema,
  output: traceOutputSchema,
  run: async (deps, input) => {
    const traceId = input.trace_id as string;
    const offset = input.cursor ? offsetOf(input.cursor) : 0;
    const found = await traceEntries(deps, traceId);
    const timeline = traceTimeline(found.entries, traceId);
    const { exchanges, components, ...summary } = timeline;
    const fields: Record<string, unknown> = {
      ...summary,
      trace_id: traceId,
      components: components.slice(0, MAX_COMPONENTS),
      exchanges: exchanges.slice(0, MAX_EXCHANGES),
      ...(exchanges.length > MAX_EXCHANGES ? { exchanges_total: exchanges.length } : {}),
      sources: found.sources,
      ...(found.dewey_error === undefined ? {} : { dewey_error: found.dewey_error }),
      ...(found.dewey_limited ? { dewey_limited: true } : {}),
    };
    const rows = found.entries.slice(offset);
    // The timeline comes with the first page; the next pages carry the entries.
    if (offset > 0) {
      for (const key of ['components', 'gaps', 'exchanges']) fields[key] = [];
      delete fields.exchanges_total;
    }
    // Beyond a small max_bytes, the timeline's lists shorten, last items first.
    const lists = ['exchanges', 'gaps', 'components'].map((key) => fields[key] as unknown[]);
    const shrinkFields = () => {
      const list = lists.find((items) => items.length > 0);
      if (!list) return false;
      list.pop();
      fields.timeline_truncated = true;
      return true;
    };
    return entryListResult({
      shrinkFields,
      rows,
      fields,
      format: input.format ?? 'json',
      maxBytes: Math.min(input.max_bytes ?? DEFAULT_MAX_BYTES, deps.maxReplyBytes - 1024),
      more: false,
      nextCursor: (index) => `o1.${offset + index + 1}`,
    });
  },
});

/** The offset a trace's `next_cursor` holds. */
function offsetOf(cursor: string): number {
  const match = /^o1\.(\d{1,9})$/.exec(cursor);
  if (!match) throw new ReadInputError('cursor', 'is not a cursor of logger_trace');
  return Number(match[1]);
}
