/** Log levels, least to most severe (Dewey's order: TRACE < DEBUG < INFO < WARN < ERROR). */
export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** One of Dewey's five levels, upper case. */
export type Level = (typeof LEVELS)[number];

const RANK: Readonly<Record<Level, number>> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/**
 * Parses a level case-insensitively; `WARNING` means `WARN` (docs/product.md, "Common input rules").
 * Returns `undefined` for anything else, so callers can name the field in their error.
 */
export function parseLevel(value: string): Level | undefined {
  const upper = value.trim().toUpperCase();
  const level = upper === 'WARNING' ? 'WARN' : upper;
  return level in RANK ? (level as Level) : undefined;
}

/** Numeric severity: TRACE 0 … ERROR 4. */
export function levelRank(level: Level): number {
  return RANK[level];
}

/** True when `level` is at least as severe as `minimum`. */
export function isAtLeast(level: Level, minimum: Level): boolean {
  return RANK[level] >= RANK[minimum];
}
