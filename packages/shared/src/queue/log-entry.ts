import { z } from 'zod';
import { LEVELS } from './levels.js';

/**
 * One queued log entry: the BullMQ job's data and, unchanged, one element of
 * `dewey_store_logs_batch`'s `logs` (docs/dewey-contract.md#dewey_store_logs_batch).
 */
export const logEntrySchema = z.object({
  component: z.string(),
  level: z.enum(LEVELS),
  message: z.string(),
  trace_id: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
  /** UTC ISO-8601 with milliseconds, stamped by the server. */
  created_at: z.string(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;
