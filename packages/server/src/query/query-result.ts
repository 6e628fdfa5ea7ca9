import { logRowSchema } from '@godot/shared';
import { z } from 'zod';
import { readMarksShape } from '../read/read-result.js';

/**
 * A row as the read tools return it: Dewey's row, or an entry of the recent
 * window, which has no Dewey `id` yet.
 */
export const readRowSchema = logRowSchema.extend({ id: logRowSchema.shape.id.optional() });
export type ReadRow = z.infer<typeof readRowSchema>;

/**
 * `logger_query`'s structured result (docs/product.md#logger_query): the
 * rows (or their lines), where they came from, and how far they reach. Its
 * size is kept to `max_bytes` by `entryListResult` (read/read-result.ts).
 */
export const queryOutputSchema = z.object({
  logs: z.array(readRowSchema).optional().describe('The rows, newest first (format "json")'),
  source: z
    .enum(['recent', 'dewey'])
    .optional()
    .describe("recent: read from Godot's recent window, complete; dewey: from Dewey"),
  time_filter: z
    .literal('godot')
    .optional()
    .describe('Dewey could not filter by time: Godot did, over the newest 1000 rows'),
  complete: z.literal(false).optional().describe('false: older rows of the window may be missing'),
  note: z.string().optional().describe('What Dewey could not do for this query'),
  ...readMarksShape,
});
