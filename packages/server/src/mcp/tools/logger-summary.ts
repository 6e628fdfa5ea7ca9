import { LEVELS, type RecentReader } from '@godot/shared';
import { z } from 'zod';
import { sinceSchema, timeOf } from '../../read/read-inputs.js';
import { DEFAULT_MAX_BYTES } from '../../read/read-result.js';
import { summarize } from '../../read/recent-summary.js';
import { okResult } from '../tool-result.js';
import { defineTool, type GodotToolDeps } from './define-tool.js';
import { levelSchema, rule } from './input-rules.js';

/** `logger_summary` input (docs/product.md#logger_summary). */
export const summaryInputSchema = z.object({
  since: sinceSchema
    .nullable()
    .optional()
    .describe('From this far back (15m, 1h) or this ISO time; default 15m.'),
  component: z
    .string({ error: rule('must be a string') })
    .nullable()
    .optional()
    .describe('Only this component.'),
  level: levelSchema.nullable().optional().describe('Minimum level.'),
  top: z
    .number({ error: 'must be an integer from 1 to 100' })
    .int({ error: 'must be an integer from 1 to 100' })
    .min(1, { error: 'must be an integer from 1 to 100' })
    .max(100, { error: 'must be an integer from 1 to 100' })
    .nullable()
    .optional()
    .describe('Patterns listed, 1…100 (default 20).'),
});
export type SummaryInput = z.output<typeof summaryInputSchema>;

const levelCountsSchema = z.object(
  Object.fromEntries(LEVELS.map((level) => [level, z.number().int().optional()])),
);

/** `logger_summary`'s structured result. */
export const summaryOutputSchema = z.object({
  since: z.string(),
  until: z.string(),
  source: z
    .enum(['recent', 'dewey'])
    .describe("recent: exact counts from the recent window; dewey: from a sample of Dewey's rows"),
  sampled: z.literal(true).optional().describe('The counts come from a sample, not every entry'),
  sample_size: z.number().int().optional(),
  total: z.number().int(),
  by_level: levelCountsSchema,
  by_component: z.record(z.string(), levelCountsSchema).describe('Entries by component and level'),
  patterns: z
    .array(
      z.object({
        pattern: z.string().describe('The message with numbers, ids and quoted values folded'),
        count: z.number().int(),
        first: z.string(),
        last: z.string(),
        levels: z.array(z.string()),
        components: z.array(z.string()),
        example: z.string(),
        trace_ids: z.array(z.string()).describe('Up to 3: pass one to logger_trace'),
      }),
    )
    .describe('The top message patterns, errors and warnings given at least half the places'),
  other: z.object({
    patterns: z.number().int(),
    entries: z.number().int(),
    untracked: z.number().int(),
    untracked_components: z.number().int(),
  }),
  stats: z
    .object({
      dewey: z.record(z.string(), z.unknown()).optional(),
      dewey_error: z.string().optional(),
      window: z.record(z.string(), z.unknown()).optional(),
      queue: z.record(z.string(), z.number()).optional(),
    })
    .describe("Dewey's all-time totals, Godot's recent window and queue"),
  truncated: z.literal(true).optional().describe('Patterns were left out to fit max_bytes'),
});

/** What is going wrong, in numbers (read/recent-summary.ts). */
export const loggerSummaryTool = defineTool<SummaryInput>({
  name: 'logger_summary',
  description:
    "Start here when debugging: what is going wrong, in numbers. Counts by component and level over the last 15 minutes (or since), and the top message patterns (numbers, ids and quoted values folded) with count, first and last time, levels, components, an example and trace ids to pass to logger_trace. Exact over the recent window; older ranges are a sample of Dewey's rows (\"sampled\":true). Also Dewey's all-time totals and Godot's queue.",
  annotations: { readOnlyHint: true, openWorldHint: false },
  input: summaryInputSchema,
  output: summaryOutputSchema,
  run: async (deps, input) => {
    const now = Date.now();
    const sinceMs = timeOf(input.since ?? '15m', now) ?? now - 15 * 60_000;
    const [answer, stats] = await Promise.all([
      summarize(deps, {
        sinceMs,
        untilMs: now,
        component: input.component ?? undefined,
        level: input.level ?? undefined,
        top: input.top ?? 20,
      }),
      statsOf(deps),
    ]);
    const payload: Record<string, unknown> = {
      since: new Date(sinceMs).toISOString(),
      until: new Date(now).toISOString(),
      ...answer,
      stats,
    };
    // Within the assistant's budget: the least-ranked patterns go first.
    const patterns = answer.patterns;
    while (patterns.length > 0 && Buffer.byteLength(JSON.stringify(payload)) > DEFAULT_MAX_BYTES) {
      patterns.pop();
      payload.truncated = true;
    }
    return okResult(payload);
  },
});

/** Dewey's all-time totals, and Godot's own window and queue, each as far as it answers. */
async function statsOf(deps: GodotToolDeps & { recent?: RecentReader }) {
  const [dewey, window, queue] = await Promise.all([
    deps.dewey.getLogStats().then(
      (stats) => ({ dewey: stats as Record<string, unknown> }),
      (error: Error) => ({ dewey_error: error.message }),
    ),
    deps.recent?.span().then(
      (span) => ({
        entries: span.entries,
        bytes: span.bytes,
        oldest: span.oldest === null ? null : new Date(span.oldest).toISOString(),
        complete_since:
          span.complete_since === null ? null : new Date(span.complete_since).toISOString(),
      }),
      () => undefined,
    ),
    deps.queueDepth?.().catch(() => undefined),
  ]);
  return { ...dewey, ...(window ? { window } : {}), ...(queue ? { queue } : {}) };
}
