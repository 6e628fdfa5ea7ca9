/** Dewey's levels, least to most severe: a level filter keeps this level and those after it. */
export const DEWEY_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** One of Dewey's five levels, upper case. */
export type DeweyLevel = (typeof DEWEY_LEVELS)[number];

/** The upper-case level when `text` names one case-insensitively (`WARNING` does not). */
export function toDeweyLevel(text: string): DeweyLevel | undefined {
  const upper = text.toUpperCase();
  return DEWEY_LEVELS.find((level) => level === upper);
}

/** True when `level` is `minimum` or more severe. */
export function isAtLeast(level: DeweyLevel, minimum: DeweyLevel): boolean {
  return DEWEY_LEVELS.indexOf(level) >= DEWEY_LEVELS.indexOf(minimum);
}
