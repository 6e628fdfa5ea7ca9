import { formatTable } from '../format-table.js';
import { oneLine } from '../terminal-text.js';
import { displayTime } from './entry-line.js';
import type { SummaryReply } from './read-replies.js';

/** How `formatSummary` writes a summary. */
export interface SummaryViewOptions {
  /** Today's UTC date, `YYYY-MM-DD`: today's times show without their date. @default today by the clock */
  today?: string;
  /** Widest a table cell gets (a pattern, a component), `…` included. @default 100 */
  maxWidth?: number;
}

/** Levels most severe first: the columns of the count table. */
const LEVEL_ORDER = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'];

/**
 * `logger_summary`'s reply for people: a header (the span, the total, and
 * whether it was counted from a sample),
 * the counts by component × level as a table (the levels seen, most severe
 * first, and a total per component and per level), then the top patterns
 * (count, levels, components, pattern). Cells go through `formatTable`,
 * which removes anything an entry could use to act on the terminal.
 */
export function formatSummary(reply: SummaryReply, options: SummaryViewOptions = {}): string {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const maxWidth = options.maxWidth ?? 100;
  const span = `${displayTime(reply.since, today)} → ${displayTime(reply.until, today)} (UTC)`;
  const of = reply.source === 'dewey' ? " of Dewey's rows" : ' entries';
  const sampled = reply.sampled
    ? `, counted from a sample of ${reply.sample_size ?? 'some'}${of}`
    : '';
  // The header is the only text not in a table: `oneLine` it, whatever the server sent.
  const lines = [
    oneLine(`${reply.total} ${reply.total === 1 ? 'entry' : 'entries'} ${span}${sampled}`),
  ];
  if (reply.total === 0) return lines[0] ?? '';

  const byComponent = Object.entries(reply.by_component ?? {});
  const levels = levelColumns(byComponent.map(([, counts]) => counts));
  const totals = new Map<string, number>();
  const rows = byComponent.map(([component, counts]) => {
    let sum = 0;
    const cells = levels.map((level) => {
      const count = counts[level] ?? 0;
      sum += count;
      totals.set(level, (totals.get(level) ?? 0) + count);
      return String(count);
    });
    return [component, ...cells, String(sum)];
  });
  if (rows.length > 1) {
    const all = levels.map((level) => totals.get(level) ?? 0);
    rows.push(['(all)', ...all.map(String), String(all.reduce((a, b) => a + b, 0))]);
  }
  lines.push('', formatTable(['component', ...levels, 'total'], rows, maxWidth));

  const patterns = reply.patterns ?? [];
  lines.push('', patterns.length === 0 ? 'no patterns' : 'top patterns');
  if (patterns.length > 0) {
    const patternRows = patterns.map((pattern) => [
      String(pattern.count),
      pattern.levels.join(','),
      pattern.components.join(', '),
      pattern.pattern,
    ]);
    lines.push(formatTable(['count', 'levels', 'components', 'pattern'], patternRows, maxWidth));
  }
  const other = reply.other;
  if (other?.entries) {
    const more = other.patterns ? ` in ${other.patterns} more patterns` : '';
    lines.push(`(and ${other.entries} more entries${more})`);
  }
  if (reply.truncated) lines.push('(patterns left out to fit the reply)');
  return lines.join('\n');
}

/** Levels that appear in any count, most severe first; unknown names after the five, in order seen. */
function levelColumns(counts: readonly Record<string, number>[]): string[] {
  const seen = new Set<string>();
  for (const byLevel of counts) {
    for (const [level, count] of Object.entries(byLevel)) if (count > 0) seen.add(level);
  }
  const known = LEVEL_ORDER.filter((level) => seen.has(level));
  const unknown = [...seen].filter((level) => !LEVEL_ORDER.includes(level));
  return [...known, ...unknown];
}
