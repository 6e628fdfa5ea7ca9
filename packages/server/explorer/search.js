// Search: logger_query over a time range with filters, newest first, and
// "load older": the answer's next_cursor when it has one, else the same
// query ending at the oldest entry shown.

import { callTool } from './api.js';
import { entryItem, formValues, setNotice } from './entries.js';

const FILTERS = ['component', 'level', 'trace_id', 'search'];
const PAGE = 100;
const RANGES = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

/**
 * Wires the search section (`#view-search`).
 * @returns {{ run: (filters?: Record<string, string>) => void }} `run` fills the form's fields it is given, then searches
 */
export function setUpSearchView() {
  const section = /** @type {HTMLElement} */ (document.getElementById('view-search'));
  const form = /** @type {HTMLFormElement} */ (document.getElementById('search-filters'));
  const list = /** @type {HTMLOListElement} */ (document.getElementById('search-list'));
  const notice = /** @type {HTMLElement} */ (document.getElementById('search-notice'));
  const older = /** @type {HTMLButtonElement} */ (document.getElementById('search-older'));
  const range = /** @type {HTMLSelectElement} */ (form.elements.namedItem('range'));

  /** @type {Record<string, unknown>} the last query's arguments, times fixed */
  let query = {};
  /** @type {string | undefined} */
  let nextCursor;
  /** @type {string | undefined} */
  let oldest;
  /** Entries shown, so that a page ending at the oldest one does not repeat it. */
  let seen = new Set();
  /** @type {AbortController | undefined} */
  let pending;

  const showCustom = () => section.classList.toggle('range-custom', range.value === 'custom');
  range.addEventListener('change', showCustom);
  showCustom();

  function queryFromForm() {
    /** @type {Record<string, unknown>} */
    const args = { ...formValues(form, FILTERS), limit: PAGE };
    if (range.value === 'custom') {
      const { start, end } = formValues(form, ['start', 'end']);
      // datetime-local holds the person's local time without a zone.
      if (start !== undefined) args.start_time = new Date(start).toISOString();
      if (end !== undefined) args.end_time = new Date(end).toISOString();
    } else {
      args.start_time = new Date(Date.now() - (RANGES[range.value] ?? RANGES['15m'])).toISOString();
    }
    return args;
  }

  /** @param {boolean} more */
  async function load(more) {
    pending?.abort();
    pending = new AbortController();
    /** @type {Record<string, unknown>} */
    const args = { ...query };
    if (more && nextCursor !== undefined) args.cursor = nextCursor;
    else if (more && oldest !== undefined) args.end_time = oldest;
    older.disabled = true;
    setNotice(notice, 'Searching…');
    section.dataset.state = 'loading';
    try {
      // A person's page takes more than an assistant's answer; a query that
      // stopped at its time limit, or at this size, is followed on until a
      // page is full (at most a few rounds).
      args.max_bytes = 1_000_000;
      let answer = await callTool('logger_query', args, pending.signal);
      let logs = answer.logs ?? [];
      for (let round = 1; round < 10 && logs.length < PAGE; round++) {
        if (typeof answer.next_cursor !== 'string') break;
        const next = await callTool(
          'logger_query',
          { ...args, cursor: answer.next_cursor },
          pending.signal,
        );
        logs = [...logs, ...(next.logs ?? [])];
        answer = next;
      }
      let added = 0;
      for (const entry of logs) {
        const key = JSON.stringify([
          entry.id,
          entry.created_at,
          entry.component,
          entry.level,
          entry.message,
          entry.trace_id,
        ]);
        if (seen.has(key)) continue;
        seen.add(key);
        list.append(entryItem(entry));
        added += 1;
      }
      const last = logs.at(-1);
      if (last !== undefined) oldest = last.created_at;
      nextCursor = typeof answer.next_cursor === 'string' ? answer.next_cursor : undefined;
      const more = nextCursor !== undefined || (logs.length >= PAGE && added > 0);
      older.hidden = !more;
      older.disabled = false;
      setNotice(notice, describe(answer, list.childElementCount, more));
      section.dataset.state = 'done';
    } catch (error) {
      if (pending.signal.aborted) return;
      older.disabled = false;
      setNotice(notice, error instanceof Error ? error.message : String(error), 'error');
      section.dataset.state = 'error';
    }
  }

  function search() {
    query = queryFromForm();
    nextCursor = undefined;
    oldest = undefined;
    seen = new Set();
    list.replaceChildren();
    older.hidden = true;
    void load(false);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    search();
  });
  older.addEventListener('click', () => void load(true));

  return {
    run(filters = {}) {
      form.reset();
      for (const [name, value] of Object.entries(filters)) {
        const field = /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name));
        if (field) field.value = value;
      }
      showCustom();
      search();
    },
  };
}

/**
 * The line above the results: how many, from where, and what may be missing.
 * @param {any} answer
 * @param {number} shown
 * @param {boolean} more
 */
function describe(answer, shown, more) {
  const parts = [`${shown} ${shown === 1 ? 'entry' : 'entries'}`];
  if (answer.source === 'recent') parts.push('from the recent window');
  else if (answer.source === 'dewey') parts.push('from Dewey');
  if (!more) parts.push('no older ones');
  if (answer.truncated) parts.push('the answer was cut to its size limit');
  if (answer.complete === false)
    parts.push('older entries of the range may be missing: narrow the filters');
  if (typeof answer.note === 'string') parts.push(answer.note);
  return parts.join(' · ');
}
