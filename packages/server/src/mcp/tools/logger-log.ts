import { z } from 'zod';
import { okResult } from '../tool-result.js';
import { defineTool } from './define-tool.js';
import { componentSchema, dataSchema, levelSchema, rule, traceIdSchema } from './input-rules.js';

/** `logger_log` input (docs/product.md, `logger_log`). */
export const logInputShape = {
  component: componentSchema.describe('Name of the component that logs, e.g. "fiedler".'),
  level: levelSchema.describe('ERROR, WARN (or WARNING), INFO, DEBUG or TRACE; case-insensitive.'),
  message: z.string({ error: rule('must be a string') }).describe('The log message.'),
  trace_id: traceIdSchema.describe('Optional correlation id: a UUID.'),
  data: dataSchema.describe('Optional structured context: a JSON object.'),
};
export const logInputSchema = z.object(logInputShape);
export type LogInput = z.output<typeof logInputSchema>;

/** `logger_log`'s structured result: queued with a job id, or not queued with a reason. */
export const logOutputSchema = z.object({
  status: z.literal('ok'),
  queued: z.boolean().describe('false: below the level'),
  id: z.string().optional(),
  sanitized: z.literal(true).optional().describe('NUL replaced by U+FFFD'),
  reason: z.string().optional(),
});

/** Queues one entry; replies once Redis confirmed it (ingest.ts). */
export const loggerLogTool = defineTool<LogInput>({
  name: 'logger_log',
  description:
    'Queue one log entry for storage in Dewey. Replies once the entry is durably queued: {"status":"ok","queued":true,"id":…}, or queued:false with a reason when below the component\'s level.',
  annotations: { openWorldHint: false },
  input: logInputSchema,
  output: logOutputSchema,
  run: async (deps, input) => okResult(await deps.ingest.log(input)),
});
