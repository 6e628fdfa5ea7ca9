import { z } from 'zod';
import type { LogEntry } from '../queue/log-entry.js';

/** Filters of `dewey_query_logs`; only the given ones are sent. */
export interface DeweyQueryArgs {
  trace_id?: string;
  component?: string;
  level?: string;
  start_time?: string;
  end_time?: string;
  search?: string;
  limit?: number;
}

/** Filters of `dewey_clear_logs`. */
export interface DeweyClearArgs {
  before_time?: string;
  component?: string;
  level?: string;
}

/** `dewey_store_logs_batch` result: a count, or a message for an empty batch. */
export const storeResultSchema = z.object({
  status: z.literal('ok'),
  inserted_count: z.number().int().optional(),
  message: z.string().optional(),
});
export type StoreResult = z.infer<typeof storeResultSchema>;

/**
 * One row of `dewey_query_logs` as Godot returns it: Dewey sends `data` as a
 * JSON-encoded string (docs/dewey-contract.md, "dewey_query_logs"); the client decodes it.
 */
export const logRowSchema = z.object({
  id: z.union([z.number(), z.string()]),
  trace_id: z.string().nullable(),
  component: z.string(),
  level: z.string(),
  message: z.string(),
  data: z.unknown(),
  created_at: z.string(),
  age: z.number().nullable().optional(),
});
export type LogRow = z.infer<typeof logRowSchema>;

export const queryResultSchema = z.array(logRowSchema.extend({ data: z.string().nullable() }));

export const clearResultSchema = z.object({
  status: z.literal('ok'),
  deleted_count: z.number().int(),
});
export type ClearResult = z.infer<typeof clearResultSchema>;

export const statsResultSchema = z.looseObject({
  total_count: z.number(),
  count_by_component: z.record(z.string(), z.number()),
  count_by_level: z.record(z.string(), z.number()),
  oldest_log_at: z.string().nullable(),
  newest_log_at: z.string().nullable(),
  estimated_db_size: z.unknown(),
});
export type StatsResult = z.infer<typeof statsResultSchema>;

/** What `storeLogsBatch` sends: the queued entries, unchanged. */
export type DeweyLogEntry = LogEntry;
