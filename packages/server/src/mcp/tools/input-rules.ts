import { LEVELS, type Level, normalizeUuid, parseLevel } from '@godot/shared';
import { z } from 'zod';

/**
 * The zod rules the tools' inputs share (docs/product.md, "The tools").
 * Optional fields accept `null` because today's clients send `"trace_id": null`.
 * Every rule carries a message, and the dispatcher appends the field path, so
 * a bad call reads like "must be a UUID (dashed or 32 hex digits) at trace_id".
 */

const LEVEL_RULE = `must be one of ${LEVELS.join(', ')} (case-insensitive; WARNING means WARN)`;

/**
 * The level names `tools/list` advertises as the JSON schema's `enum`, so that
 * a model sees the allowed values. The lower-case forms are still accepted at
 * runtime: `parseLevel` is case-insensitive.
 */
export const ADVERTISED_LEVELS = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE', 'WARNING'] as const;

/** Zod error map: a missing required field says so; a wrong type states the rule. */
export function rule(text: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : text);
}

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

const TIME_RULE = 'must be an ISO-8601 date-time or date (e.g. 2026-11-25T10:00:00Z or 2026-11-25)';

/**
 * A point in time: an ISO-8601 date-time (with an offset, `Z`, or none = UTC),
 * or a date alone, which means midnight UTC and is passed on as
 * `2026-11-25T00:00:00Z`.
 */
export const isoTimeSchema = z.union(
  [
    z.iso.datetime({ offset: true, local: true, error: TIME_RULE }),
    z.iso.date({ error: TIME_RULE }).transform((date) => `${date}T00:00:00Z`),
  ],
  { error: TIME_RULE },
);

/** Only the filters that were given go to Dewey (docs/product.md, `logger_query`). */
export function definedOnly<T extends object>(input: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== null && value !== undefined),
  ) as { [K in keyof T]: Exclude<T[K], null> };
}
