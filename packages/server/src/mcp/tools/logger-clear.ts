import { z } from 'zod';
import { DeweyCannotClearError, isDeweyTimeBug } from '../../query/dewey-time-bug.js';
import { okResult } from '../tool-result.js';
import { defineTool } from './define-tool.js';
import { definedOnly, isoTimeSchema, levelSchema } from './input-rules.js';

/** `logger_clear` input (docs/product.md, `logger_clear`). */
export const clearInputShape = {
  before_time: isoTimeSchema
    .nullable()
    .optional()
    .describe(
      'Delete entries older than this (ISO-8601 date-time, or a date = midnight UTC; default: Dewey retention, 7 days).',
    ),
  component: z
    .string({ error: 'must be a string' })
    .nullable()
    .optional()
    .describe('Only this component.'),
  level: levelSchema.nullable().optional().describe('Only this level.'),
};
export const clearInputSchema = z.object(clearInputShape);
export type ClearInput = z.output<typeof clearInputSchema>;

/** `logger_clear`'s structured result: Dewey's reply. */
export const clearOutputSchema = z.object({
  status: z.literal('ok'),
  deleted_count: z.number().int(),
});

/** Deletes old logs in Dewey; audited, as it changes what every client sees. */
export const loggerClearTool = defineTool<ClearInput>({
  name: 'logger_clear',
  description:
    "Delete logs in Dewey older than before_time (default: Dewey's 7-day retention), optionally only one component or level.",
  annotations: { destructiveHint: true, openWorldHint: false },
  audited: true,
  input: clearInputSchema,
  output: clearOutputSchema,
  run: async (deps, input) => {
    try {
      return okResult(await deps.dewey.clearLogs(definedOnly(input)));
    } catch (error) {
      // The real Dewey fails every clear (docs/dewey-contract.md#known-dewey-bug): say so plainly.
      throw isDeweyTimeBug(error) ? new DeweyCannotClearError(error) : error;
    }
  },
});
