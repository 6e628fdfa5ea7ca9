import { LEVELS, type Level, normalizeUuid, parseLevel } from '@godot/shared';
import { z } from 'zod';

/**
 * Zod schemas for the four tools' inputs, exactly as `godot.md` specifies them.
 * Optional fields accept `null` because today's clients send `"trace_id": null`.
 * Every rule carries a message, and the SDK appends the field path, so a bad
 * call reads like "must be a UUID (dashed or 32 hex digits) at trace_id".
 */

const LEVEL_RULE = `must be one of ${LEVELS.join(', ')} (case-insensitive; WARNING means WARN)`;
/**
 * The level names `tools/list` advertises as the JSON schema's `enum`, so that
 * a model sees the allowed values (issue 11, point 3). The lower-case forms
 * are still accepted at runtime: `parseLevel` is case-insensitive.
 */
export const ADVERTISED_LEVELS = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE', 'WARNING'] as const;

/** A level name, parsed case-insensitively into `Level`. */
export const levelSchema = z
  .string({ error: rule(LEVEL_RULE) })
  .refine((value) => parseLevel(value) !== undefined, { error: LEVEL_RULE })
  .transform((value) => parseLevel(value) as Level)
  // Metadata is copied into the JSON schema (z.toJSONSchema): the enum is
  // advertised, not enforced, so `info` still passes.
  .meta({ enum: [...ADVERTISED_LEVELS] });

/** A component name: non-empty after trimming, at most 128 characters. */
export const componentSchema = z
  .string({ error: rule('must be a string') })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(128, { error: 'must be at most 128 characters' });

/** A trace id: `null`, or a UUID (dashed or 32 hex digits) normalised to dashed lower case. */
export const traceIdSchema = z
  .string({ error: 'must be a UUID string or null' })
  .refine((value) => normalizeUuid(value) !== undefined, {
    error: 'must be a UUID (dashed or 32 hex digits)',
  })
  .transform((value) => normalizeUuid(value) as string)
  .nullable()
  .optional();

/** Structured data: `null`, or a JSON object (not an array). */
export const dataSchema = z
  .record(z.string(), z.unknown(), { error: 'must be a JSON object or null' })
  .nullable()
  .optional();

/** Zod error map: a missing required field says so; a wrong type states the rule. */
function rule(text: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : text);
}

const TIME_RULE = 'must be an ISO-8601 date-time or date (e.g. 2026-11-25T10:00:00Z or 2026-11-25)';

/**
 * A point in time: an ISO-8601 date-time (with an offset, `Z`, or none = UTC),
 * or a date alone, which means midnight UTC and is passed on as
 * `2026-11-25T00:00:00Z` (issue 11, point 3).
 */
export const isoTimeSchema = z.union(
  [
    z.iso.datetime({ offset: true, local: true, error: TIME_RULE }),
    z.iso.date({ error: TIME_RULE }).transform((date) => `${date}T00:00:00Z`),
  ],
  { error: TIME_RULE },
);
const isoTime = isoTimeSchema;

/** `logger_log` input (REQ-GOD-001…005). */
export const logInputShape = {
  component: componentSchema.describe('Name of the component that logs, e.g. "fiedler".'),
  level: levelSchema.describe('ERROR, WARN (or WARNING), INFO, DEBUG or TRACE; case-insensitive.'),
  message: z.string({ error: rule('must be a string') }).describe('The log message.'),
  trace_id: traceIdSchema.describe('Optional correlation id: a UUID.'),
  data: dataSchema.describe('Optional structured context: a JSON object.'),
};
export const logInputSchema = z.object(logInputShape);
export type LogInput = z.output<typeof logInputSchema>;

/** `logger_query` input (REQ-DEW-006…008). */
export const queryInputShape = {
  trace_id: traceIdSchema.describe('Only entries with this trace id (UUID).'),
  component: z
    .string({ error: 'must be a string' })
    .nullable()
    .optional()
    .describe('Only this component.'),
  level: levelSchema.nullable().optional().describe('Minimum level.'),
  start_time: isoTime
    .nullable()
    .optional()
    .describe('Only entries at or after this time (ISO-8601 date-time, or a date = midnight UTC).'),
  end_time: isoTime
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

/** `logger_clear` input (REQ-DEW-009). */
export const clearInputShape = {
  before_time: isoTime
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

/** `logger_set_level` input. */
export const setLevelInputShape = {
  component: componentSchema.describe('Component whose minimum level to set.'),
  level: levelSchema.describe('Entries below this level are not queued.'),
};
export const setLevelInputSchema = z.object(setLevelInputShape);
export type SetLevelInput = z.output<typeof setLevelInputSchema>;
