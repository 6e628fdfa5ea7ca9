import { formatTable } from '../format-table.js';
import { oneLine } from '../terminal-text.js';
import { createdAtMicros, cut, displayTime, paintLevel } from './entry-line.js';
import type { Exchange, ReadEntry, TimelineGap, TraceReply } from './read-replies.js';

/** How `formatTrace` writes a trace. */
export interface TraceViewOptions {
  /** Colour the levels (`entry-line.ts`). @default false */
  color?: boolean;
  /** Today's UTC date, `YYYY-MM-DD`: today's times show without their date. @default today by the clock */
  today?: string;
  /** Characters of a message shown, `…` included. @default 300 */
  messageChars?: number;
}

/** Widest a component column gets; longer names push the message along on their own line. */
const MAX_COMPONENT_WIDTH = 24;

/**
 * `logger_trace`'s reply for people: a header (trace id, entries, duration,
 * errors, each component's share), one line per entry (`+offset ms` from the
 * trace's first entry, component, level, message), then the MCP exchanges
 * (component, method, id, latency or `no response`, error) and the longest
 * gaps. Text from entries goes through `oneLine`/`formatTable`, never raw.
 */
export function formatTrace(reply: TraceReply, options: TraceViewOptions = {}): string {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const logs = reply.logs ?? [];
  const id = oneLine(String(reply.trace_id ?? '?'));
  const count = reply.count ?? logs.length;
  if (count === 0 && logs.length === 0) return `trace ${id}: no entries${deweyNote(reply)}`;

  const errors = reply.errors ?? logs.filter((entry) => entry.level === 'ERROR').length;
  const head = [
    `trace ${id}`,
    `${count} ${count === 1 ? 'entry' : 'entries'}`,
    typeof reply.duration_ms === 'number' ? formatMs(reply.duration_ms) : 'duration unknown',
    `${errors} ${errors === 1 ? 'error' : 'errors'}`,
  ].join('  ·  ');
  const lines = [head];
  if (reply.start) {
    const end = reply.end ? ` → ${displayTime(reply.end, today)}` : '';
    lines.push(`from ${displayTime(reply.start, today)}${end} (UTC)`);
  }
  const parts = (reply.components ?? []).map((part) => {
    const failed =
      part.errors > 0 ? `, ${part.errors} ${part.errors === 1 ? 'error' : 'errors'}` : '';
    return `${oneLine(part.component)} (${part.count}${failed})`;
  });
  if (parts.length > 0) lines.push(`components: ${parts.join(', ')}`);
  const note = deweyNote(reply);
  if (note !== '') lines.push(note.trim());
  lines.push('', ...entryLines(logs, reply.start ?? logs[0]?.created_at, options));
  if (logs.length < count) {
    lines.push(`(${logs.length} of the ${count} entries: the rest did not fit in the reply)`);
  }

  const exchanges = reply.exchanges ?? [];
  if (exchanges.length > 0) {
    lines.push('', 'exchanges', exchangeTable(exchanges));
    const total = reply.exchanges_total;
    if (total !== undefined && total > exchanges.length) {
      lines.push(`(the first ${exchanges.length} of ${total} exchanges)`);
    }
  }
  const gaps = reply.gaps ?? [];
  if (gaps.length > 0) lines.push('', 'largest gaps', ...gaps.map((gap) => gapLine(gap, today)));
  return lines.join('\n');
}

/** What the reply says of Dewey's part, as a sentence after a space; '' when all went well. */
function deweyNote(reply: TraceReply): string {
  if (reply.dewey_error !== undefined) {
    return ` (Dewey could not be asked, entries of the recent window only: ${oneLine(reply.dewey_error)})`;
  }
  if (reply.dewey_limited) return ' (Dewey gave its most rows: older entries may be missing)';
  return '';
}

function entryLines(
  logs: readonly ReadEntry[],
  start: string | undefined,
  options: TraceViewOptions,
): string[] {
  const origin = start === undefined ? Number.NaN : createdAtMicros(start);
  const offsets = logs.map((entry) => {
    const micros = createdAtMicros(entry.created_at) - origin;
    return Number.isNaN(micros) ? '?' : `+${formatMs(micros / 1000)}`;
  });
  const components = logs.map((entry) => oneLine(entry.component));
  const offsetWidth = Math.max(...offsets.map((offset) => offset.length));
  const componentWidth = Math.min(
    MAX_COMPONENT_WIDTH,
    Math.max(...components.map((name) => name.length)),
  );
  return logs.map((entry, index) => {
    const level = oneLine(entry.level).padEnd(5);
    return [
      (offsets[index] ?? '').padStart(offsetWidth),
      (components[index] ?? '').padEnd(componentWidth),
      options.color ? paintLevel(entry.level, level) : level,
      cut(oneLine(entry.message), options.messageChars ?? 300),
    ].join('  ');
  });
}

function exchangeTable(exchanges: readonly Exchange[]): string {
  const rows = exchanges.map((exchange) => [
    exchange.component,
    exchange.method,
    String(exchange.id),
    exchange.latency_ms === null ? 'no response' : formatMs(exchange.latency_ms),
    exchangeError(exchange),
  ]);
  return formatTable(['component', 'method', 'id', 'latency', 'error'], rows, 80);
}

/** The error column: code and message, `error` when the response failed without either. */
function exchangeError(exchange: Exchange): string {
  if (exchange.outcome !== 'error') return '';
  const said = [exchange.error_code, exchange.error_message].filter(
    (part) => part !== undefined && part !== '',
  );
  return said.length === 0 ? 'error' : said.join(' ');
}

function gapLine(gap: TimelineGap, today: string): string {
  const ref = (entry: TimelineGap['after']) =>
    `${oneLine(entry.component)} "${cut(oneLine(entry.message), 60)}" (${displayTime(entry.created_at, today)})`;
  return `  ${formatMs(gap.ms)} after ${ref(gap.after)}, before ${ref(gap.before)}`;
}

/** `12.345 ms`: to the microsecond, without trailing zeros. */
export function formatMs(ms: number): string {
  return `${Number(ms.toFixed(3))} ms`;
}
