import { stripControlChars } from './terminal-text.js';

/**
 * Renders rows as a plain-text table with a header, cutting cells at
 * `maxWidth`. Each cell is one line, and holds no terminal control
 * characters (cells come from log entries): whitespace runs become one
 * space, then escape sequences and other controls are removed.
 */
export function formatTable(headers: string[], rows: string[][], maxWidth = 80): string {
  const cut = (cell: string) => {
    const flat = stripControlChars(cell.replace(/\s+/g, ' '), { keepLineBreaks: false });
    return flat.length > maxWidth ? `${flat.slice(0, maxWidth - 1)}…` : flat;
  };
  const cells = [headers, ...rows].map((row) => row.map(cut));
  const widths = headers.map((_, column) =>
    Math.max(...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const [head = [], ...body] = cells;
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
