/**
 * Timestamps as Dewey handles them: parsed like Python 3.11's
 * `datetime.fromisoformat`, kept with microsecond precision (PostgreSQL
 * `timestamptz`), printed like Python's `datetime.isoformat()` on a UTC value.
 * Times are carried as integer microseconds since the Unix epoch, which stays
 * exact in a double for any date Dewey can hold.
 */

// YYYY-MM-DD or YYYYMMDD, then optionally any one separator character and
// HH[:MM[:SS[.f…]]] (colons optional), then optionally Z or ±HH[:MM[:SS[.f…]]].
const ISO =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:.(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d{1,6})?)?)?)?)?$/;

const OFFSET = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?(?:[.,](\d{1,6}))?$/;

/**
 * Parses an ISO-8601 string the way Dewey does (`fromisoformat`); a time
 * without offset is UTC. Returns `undefined` when Python would raise
 * `ValueError`, so callers choose between "now" and an error.
 */
export function parseIsoMicros(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = zone === undefined || zone === 'Z' ? 0 : parseOffsetMicros(zone);
  if (offset === undefined) return undefined;
  // Python keeps six fraction digits and drops the rest.
  const micros = Number(frac.slice(0, 6).padEnd(6, '0'));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime() * 1000 + micros - offset;
}

function parseOffsetMicros(zone: string): number | undefined {
  const m = OFFSET.exec(zone);
  if (!m) return undefined;
  const [, sign, h = '0', mi = '0', s = '0', frac = ''] = m;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const micros =
    ((Number(h) * 60 + Number(mi)) * 60 + Number(s)) * 1_000_000 +
    Number(frac.padEnd(6, '0') || '0');
  return sign === '-' ? -micros : micros;
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; setUTCFullYear keeps
  // years below 100 as they are (Date.UTC would map them to 19xx).
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/**
 * Python's `isoformat()` of a UTC datetime: `2026-11-24T03:35:01.134000+00:00`,
 * and no fraction at all when the microseconds are zero.
 */
export function formatIsoMicros(micros: number): string {
  const whole = Math.round(micros);
  const fraction = ((whole % 1_000_000) + 1_000_000) % 1_000_000;
  // toISOString is exact to the second for years 0…9999, which covers Python's 1…9999.
  const base = new Date((whole - fraction) / 1000).toISOString().slice(0, 19);
  return fraction === 0 ? `${base}+00:00` : `${base}.${String(fraction).padStart(6, '0')}+00:00`;
}

/** Converts epoch milliseconds (fractions allowed) to whole epoch microseconds. */
export function msToMicros(ms: number): number {
  return Math.round(ms * 1000);
}
