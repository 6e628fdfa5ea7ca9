import { LEVELS } from '@godot/shared';
import { z } from 'zod';

/**
 * Structured results of `logger_log`, `logger_clear` and `logger_set_level`
 * (issue 11, point 3); `logger_query`'s is in query-result.ts. Each tool's
 * text is its `structuredContent` serialized.
 */

/** `logger_log` (godot.md, logger_log): queued with a job id, or not queued with a reason. */
export const logOutputSchema = z.object({
  status: z.literal('ok'),
  queued: z.boolean().describe('false: below the level'),
  id: z.string().optional(),
  sanitized: z.literal(true).optional().describe('NUL replaced by U+FFFD'),
  reason: z.string().optional(),
});

/** `logger_clear`: Dewey's reply (godot.md, logger_clear). */
export const clearOutputSchema = z.object({
  status: z.literal('ok'),
  deleted_count: z.number().int(),
});

const levelName = z.enum(LEVELS);

/** `logger_set_level` (godot.md, logger_set_level). */
export const setLevelOutputSchema = z.object({
  status: z.literal('ok'),
  component: z.string(),
  level: levelName,
  previous: levelName,
});
