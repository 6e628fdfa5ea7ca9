/** Godot's levels, most severe first (docs/product.md#common-input-rules). */
export const GODOT_LEVELS = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'] as const;

/** One of Godot's five levels. */
export type GodotLevel = (typeof GODOT_LEVELS)[number];

const RANK: Record<GodotLevel, number> = { ERROR: 0, WARN: 1, INFO: 2, DEBUG: 3, TRACE: 4 };

/** The level for any spelling the server accepts (case-insensitive, `WARNING`), else undefined. */
export function parseLevel(value: unknown): GodotLevel | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  if (upper === 'WARNING') return 'WARN';
  return upper in RANK ? (upper as GodotLevel) : undefined;
}

/** True when `level` is at least as severe as `minimum`. */
export function passes(level: GodotLevel, minimum: GodotLevel): boolean {
  return RANK[level] <= RANK[minimum];
}

/**
 * pino's numeric levels (10 trace, 20 debug, 30 info, 40 warn, 50 error,
 * 60 fatal) to Godot's; Godot has no FATAL, so fatal is ERROR. Custom levels
 * fall to the nearest standard one below them.
 */
export function fromPinoLevel(level: unknown): GodotLevel {
  const n = typeof level === 'number' ? level : 30;
  if (n >= 50) return 'ERROR';
  if (n >= 40) return 'WARN';
  if (n >= 30) return 'INFO';
  if (n >= 20) return 'DEBUG';
  return 'TRACE';
}
