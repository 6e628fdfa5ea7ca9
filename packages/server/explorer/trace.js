// Trace timeline: logger_trace's entries in one lane per component, placed by
// time; its exchanges (a request and its response, with the latency) as bars
// and in a table; errors marked; then every entry, oldest first.

import { callTool } from './api.js';
import { entryItem, h, setNotice, timeMs, timeOf } from './entries.js';

/** Pages of entries fetched for one trace at most. */
const MAX_PAGES = 10;

/**
 * Wires the trace section (`#view-trace`).
 * @returns {{ show: (traceId: string) => void }}
 */
export function setUpTraceView() {
  const section = /** @type {HTMLElement} */ (document.getElementById('view-trace'));
  const form = /** @type {HTMLFormElement} */ (document.getElementById('trace-form'));
  const body = /** @type {HTMLElement} */ (document.getElementById('trace-body'));
  const notice = /** @type {HTMLElement} */ (document.getElementById('trace-notice'));
  const input = /** @type {HTMLInputElement} */ (form.elements.namedItem('trace_id'));
  /** @type {AbortController | undefined} */
  let pending;

  /** @param {string} traceId */
  async function show(traceId) {
    input.value = traceId;
    pending?.abort();
    pending = new AbortController();
    section.dataset.state = 'loading';
    setNotice(notice, 'Loading…');
    body.replaceChildren();
    try {
      const signal = pending.signal;
      const answer = await callTool('logger_trace', { trace_id: traceId }, signal);
      // The timeline comes with the first page; further pages (next_cursor)
      // carry the rest of the entries.
      const logs = [...(answer.logs ?? [])];
      let next = answer.next_cursor;
      for (let page = 1; typeof next === 'string' && page < MAX_PAGES; page++) {
        const more = await callTool('logger_trace', { trace_id: traceId, cursor: next }, signal);
        logs.push(...(more.logs ?? []));
        next = more.next_cursor;
      }
      if (logs.length === 0) {
        setNotice(notice, 'No entries with this trace id (in the recent window or Dewey).');
      } else {
        setNotice(notice, caveats(answer, typeof next === 'string'));
        // The timeline's fields sit at the top of the answer (or under `timeline`).
        body.replaceChildren(...renderTrace(traceId, logs, answer.timeline ?? answer));
      }
      section.dataset.state = 'done';
    } catch (error) {
      if (pending.signal.aborted) return;
      setNotice(notice, error instanceof Error ? error.message : String(error), 'error');
      section.dataset.state = 'error';
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const traceId = input.value.trim();
    // Through the fragment, so that the trace can be linked and reloaded.
    if (location.hash === `#trace/${encodeURIComponent(traceId)}`) void show(traceId);
    else location.hash = `trace/${encodeURIComponent(traceId)}`;
  });
  return { show: (traceId) => void show(traceId) };
}

/**
 * What the view may be missing, in a line.
 * @param {any} answer logger_trace's first page
 * @param {boolean} more entries were left unfetched
 */
function caveats(answer, more) {
  const parts = [];
  if (more) parts.push(`only the first ${MAX_PAGES} pages of entries are shown`);
  if (answer.truncated) parts.push('the answer was cut to its size limit');
  if (answer.timeline_truncated) parts.push('some exchanges, gaps or components were left out');
  if (typeof answer.exchanges_total === 'number')
    parts.push(`${answer.exchanges_total} exchanges in all`);
  if (answer.dewey_error)
    parts.push(`Dewey could not be asked (${answer.dewey_error}): recent entries only`);
  if (answer.dewey_limited) parts.push('older entries of the trace may be missing in Dewey');
  return parts.join(' · ');
}

/**
 * @param {string} traceId
 * @param {any[]} logs oldest first
 * @param {any} timeline logger_trace's `timeline`
 * @returns {HTMLElement[]}
 */
function renderTrace(traceId, logs, timeline) {
  const times = logs.map((entry) => timeMs(entry.created_at));
  const known = times.filter(Number.isFinite);
  const start = known.length > 0 ? Math.min(...known) : 0;
  const end = known.length > 0 ? Math.max(...known) : 0;
  const width = Math.max(end - start, 1);
  /** @param {number} time */
  const at = (time) => `${(((time - start) / width) * 100).toFixed(3)}%`;

  const items = logs.map((entry) => entryItem(entry));
  /** @type {Map<string, HTMLElement>} */
  const lanes = new Map();
  // In order of first appearance; the timeline's own list also counts each one's errors.
  /** @type {Map<string, {count: number, errors: number}>} */
  const parts = new Map();
  for (const entry of logs) {
    const part = parts.get(String(entry.component)) ?? { count: 0, errors: 0 };
    part.count += 1;
    if (entry.level === 'ERROR') part.errors += 1;
    parts.set(String(entry.component), part);
  }
  const components = [...parts.keys()];
  for (const component of components) lanes.set(component, h('div', { class: 'lane-track' }));

  logs.forEach((entry, index) => {
    const time = times[index];
    if (!Number.isFinite(time)) return;
    const level = String(entry.level);
    const mark = h('button', {
      type: 'button',
      class: `mark lvl-${level}${level === 'ERROR' ? ' error' : ''}`,
      title: `${entry.created_at} ${level} ${entry.message}`,
      text: level === 'ERROR' ? '!' : '',
      onclick: () => {
        items[index]?.scrollIntoView({ block: 'center' });
        items[index]?.classList.add('flash');
        setTimeout(() => items[index]?.classList.remove('flash'), 1500);
      },
    });
    mark.style.left = at(time);
    lanes.get(String(entry.component))?.append(mark);
  });

  const exchanges = Array.isArray(timeline.exchanges) ? timeline.exchanges : [];
  for (const exchange of exchanges) {
    const lane = lanes.get(String(exchange.component));
    const requestAt = timeMs(exchange.request_at);
    if (lane === undefined || !Number.isFinite(requestAt)) continue;
    const responseAt = timeMs(exchange.response_at ?? '');
    const bar = h('div', {
      class: `exchange outcome-${outcomeClass(exchange.outcome)}`,
      title: `${exchange.method} #${exchange.id}: ${latencyText(exchange)}`,
    });
    bar.style.left = at(requestAt);
    // Without a response the bar runs to the end of the trace.
    const until = Number.isFinite(responseAt) ? responseAt : end;
    bar.style.width = `${(((until - requestAt) / width) * 100).toFixed(3)}%`;
    lane.prepend(bar);
  }

  const errors =
    typeof timeline.errors === 'number'
      ? timeline.errors
      : logs.filter((entry) => entry.level === 'ERROR').length;
  const duration = typeof timeline.duration_ms === 'number' ? timeline.duration_ms : end - start;
  const head = h(
    'p',
    { class: 'trace-head' },
    'Trace ',
    h('code', { text: traceId }),
    ` · ${logs.length} entries · ${components.length} components · ${Number(duration.toFixed(3))} ms`,
    errors > 0
      ? h('span', {
          class: 'level lvl-ERROR',
          text: `${errors} ${errors === 1 ? 'error' : 'errors'}`,
        })
      : null,
  );
  const chart = h(
    'div',
    { class: 'timeline' },
    ...components.map((component) => {
      const part = parts.get(component) ?? { count: 0, errors: 0 };
      return h(
        'div',
        { class: `lane${part.errors > 0 ? ' has-error' : ''}`, 'data-component': component },
        h(
          'span',
          { class: 'lane-label', title: component },
          h('span', { class: 'component', text: component }),
          h('span', {
            class: 'lane-count',
            text: part.errors > 0 ? ` ${part.count} · ${part.errors} !` : ` ${part.count}`,
          }),
        ),
        lanes.get(component) ?? null,
      );
    }),
    h(
      'div',
      { class: 'axis' },
      h('span', null, timeOf(new Date(start).toISOString())),
      h('span', { text: `+${Number(duration.toFixed(3))} ms` }),
    ),
  );
  const gaps = Array.isArray(timeline.gaps) ? timeline.gaps : [];
  return [
    head,
    chart,
    ...(gaps.length > 0 ? [gapList(gaps)] : []),
    exchangeTable(exchanges),
    h('ol', { class: 'entries' }, ...items),
  ];
}

/**
 * The longest pauses between consecutive entries: where the time went.
 * @param {Array<{ms: number, after: {component: string, message: string}, before: {component: string, message: string}}>} gaps
 */
function gapList(gaps) {
  return h(
    'div',
    { class: 'gaps' },
    h('span', { class: 'gaps-title', text: 'Longest pauses' }),
    h(
      'ul',
      null,
      ...gaps.map((gap) =>
        h(
          'li',
          null,
          h('span', { class: 'latency', text: `${Number(Number(gap.ms).toFixed(3))} ms` }),
          ' after ',
          h('span', { class: 'component', text: String(gap.after?.component ?? '') }),
          ' ',
          h('span', { class: 'message', text: `“${gap.after?.message ?? ''}”` }),
          ' before ',
          h('span', { class: 'component', text: String(gap.before?.component ?? '') }),
          ' ',
          h('span', { class: 'message', text: `“${gap.before?.message ?? ''}”` }),
        ),
      ),
    ),
  );
}

/**
 * The trace's MCP exchanges (see trace-timeline.ts): a component's request
 * and the response it logged, paired by JSON-RPC id.
 * @param {any[]} exchanges
 */
function exchangeTable(exchanges) {
  if (exchanges.length === 0) {
    return h('p', {
      class: 'empty',
      text: 'No request/response exchanges in this trace (entries whose data has a JSON-RPC method and id).',
    });
  }
  return h(
    'table',
    { class: 'exchanges' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ...['component', 'request', 'response', 'latency', 'outcome'].map((text) =>
          h('th', { text }),
        ),
      ),
    ),
    h(
      'tbody',
      null,
      ...exchanges.map((exchange) => {
        const outcome = outcomeClass(exchange.outcome);
        const error = [exchange.error_code, exchange.error_message]
          .filter((part) => part !== undefined)
          .join(' ');
        return h(
          'tr',
          { class: `outcome-${outcome}` },
          h('td', { class: 'component', text: String(exchange.component) }),
          h(
            'td',
            null,
            h('code', { text: `${exchange.method} #${exchange.id}` }),
            ' ',
            timeOf(String(exchange.request_at)),
          ),
          h('td', null, exchange.response_at ? timeOf(String(exchange.response_at)) : '—'),
          h('td', { class: 'latency', text: latencyText(exchange) }),
          h('td', {
            class: 'outcome',
            text: error === '' ? String(exchange.outcome) : `${exchange.outcome}: ${error}`,
          }),
        );
      }),
    ),
  );
}

/**
 * "12.3 ms" (and the service's own measure when it logged one), or "no response".
 * @param {any} exchange
 */
function latencyText(exchange) {
  if (typeof exchange.latency_ms !== 'number') return 'no response';
  const own =
    typeof exchange.duration_ms === 'number' ? ` (service: ${exchange.duration_ms} ms)` : '';
  return `${Number(exchange.latency_ms.toFixed(3))} ms${own}`;
}

/** @param {unknown} outcome `ok`, `error` or `no response` */
function outcomeClass(outcome) {
  return outcome === 'ok' ? 'ok' : outcome === 'error' ? 'error' : 'none';
}
