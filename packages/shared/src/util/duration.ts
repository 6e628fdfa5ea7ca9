/** Milliseconds per unit of a duration. */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i;

/**
 * Milliseconds of a duration written as a number and a unit: `500ms`,
 * `30s`, `10m`, `1.5h`, `2d` (case-insensitive). `undefined` when `text`
 * is not one, so that a caller can name the field it came from.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const [, amount = '', unit = ''] = match;
  return Math.round(Number(amount) * (UNITS[unit.toLowerCase()] ?? Number.NaN));
}
