/** The nearest-rank percentile `p` (0…100) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Formats rows of cells as a plain-text table under `header`. */
export function formatColumns(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((text, col) => text.padEnd(widths[col] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** One row of the results table. */
export interface ResultRow {
  what: string;
  measured: string;
  target: string;
  /** `undefined` when the row has no pass/fail. */
  met?: boolean;
}

/** The results table: each number next to its target. */
export function formatResults(rows: readonly ResultRow[]): string {
  return formatColumns(
    ['what', 'measured', 'target', ''],
    rows.map((row) => [
      row.what,
      row.measured,
      row.target,
      row.met === undefined ? '' : row.met ? 'ok' : 'MISSED',
    ]),
  );
}
