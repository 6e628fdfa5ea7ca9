// Summary: logger_summary's counts by component and level, and the top error
// patterns, each linking to its entries (a search by its component and a
// piece of its example) and to its traces.

import { callTool } from './api.js';
import { formValues, h, LEVELS, levelBadge, setNotice, timeOf, traceLink } from './entries.js';

/**
 * Wires the summary section (`#view-summary`).
 * @returns {{ load: () => void }}
 */
export function setUpSummaryView() {
  const section = /** @type {HTMLElement} */ (document.getElementById('view-summary'));
  const form = /** @type {HTMLFormElement} */ (document.getElementById('summary-form'));
  const body = /** @type {HTMLElement} */ (document.getElementById('summary-body'));
  const notice = /** @type {HTMLElement} */ (document.getElementById('summary-notice'));
  /** @type {AbortController | undefined} */
  let pending;

  async function load() {
    pending?.abort();
    pending = new AbortController();
    section.dataset.state = 'loading';
    setNotice(notice, 'Loading…');
    try {
      const answer = await callTool(
        'logger_summary',
        formValues(form, ['since', 'component']),
        pending.signal,
      );
      body.replaceChildren(
        countsTable(answer.by_component ?? {}),
        patternList(answer.patterns ?? []),
      );
      const parts = [`${answer.total ?? 0} entries`];
      if (answer.since) parts.push(`since ${new Date(answer.since).toLocaleString()}`);
      if (answer.sampled)
        parts.push(`counted from a sample of ${answer.sample_size ?? 'some'} entries`);
      setNotice(notice, parts.join(' · '));
      section.dataset.state = 'done';
    } catch (error) {
      if (pending.signal.aborted) return;
      setNotice(notice, error instanceof Error ? error.message : String(error), 'error');
      section.dataset.state = 'error';
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  return { load };
}

/**
 * Components down, levels across, a total per row.
 * @param {Record<string, Record<string, number>>} byComponent
 */
function countsTable(byComponent) {
  const rows = Object.entries(byComponent).sort(([a], [b]) => a.localeCompare(b));
  const head = h(
    'tr',
    null,
    h('th', { text: 'component' }),
    ...LEVELS.map((level) => h('th', null, levelBadge(level))),
    h('th', { text: 'total' }),
  );
  const body = rows.map(([component, counts]) => {
    const total = Object.values(counts).reduce((sum, n) => sum + Number(n || 0), 0);
    return h(
      'tr',
      null,
      h('th', { class: 'component', text: component }),
      ...LEVELS.map((level) =>
        h('td', {
          class: counts[level] ? `count lvl-${level}` : 'count zero',
          text: String(counts[level] ?? 0),
        }),
      ),
      h('td', { class: 'count', text: String(total) }),
    );
  });
  if (body.length === 0)
    body.push(
      h(
        'tr',
        null,
        h('td', { colspan: LEVELS.length + 2, text: 'Nothing logged in this period.' }),
      ),
    );
  return h('table', { class: 'counts' }, h('thead', null, head), h('tbody', null, ...body));
}

/**
 * @param {Array<{pattern: string, count: number, first: string, last: string, levels: string[], components: string[], example: string, trace_ids: string[]}>} patterns
 */
function patternList(patterns) {
  if (patterns.length === 0)
    return h('p', { class: 'empty', text: 'No error patterns in this period.' });
  return h(
    'ol',
    { class: 'patterns' },
    ...patterns.map((pattern) => {
      const components = pattern.components ?? [];
      const levels = pattern.levels ?? [];
      // Its entries: its text, at its mildest level or above, from its component when it has one.
      const search = new URLSearchParams({ range: '15m', search: searchText(pattern) });
      if (levels.length > 0) search.set('level', String(levels.at(-1)));
      if (components.length === 1) search.set('component', String(components[0]));
      return h(
        'li',
        { class: 'pattern' },
        h('span', { class: 'pattern-count', text: `${pattern.count}×` }),
        ...levels.map((level) => levelBadge(String(level))),
        h('span', { class: 'component', text: components.join(', ') }),
        h('code', { class: 'pattern-text', text: String(pattern.pattern) }),
        h(
          'div',
          { class: 'pattern-example' },
          'e.g. ',
          h('span', { class: 'message', text: String(pattern.example ?? '') }),
        ),
        h(
          'div',
          { class: 'pattern-links' },
          pattern.first ? timeOf(pattern.first) : null,
          pattern.last ? ' – ' : null,
          pattern.last ? timeOf(pattern.last) : null,
          h('a', { class: 'pattern-entries', href: `#search?${search}`, text: 'entries' }),
          ...(pattern.trace_ids ?? []).map((id) => traceLink(String(id))),
        ),
      );
    }),
  );
}

/**
 * A piece of the pattern's example that finds its entries: the longest run of
 * the pattern's own words (placeholders such as `<n>` or `*` cut it) that the
 * example contains, else the example's start.
 * @param {{pattern: string, example: string}} pattern
 */
function searchText(pattern) {
  const example = String(pattern.example ?? '');
  const pieces = String(pattern.pattern ?? '')
    .split(/<[^>]*>|\{[^}]*\}|\*|\?/)
    .map((piece) => piece.trim())
    .filter((piece) => piece.length >= 3 && example.includes(piece))
    .sort((a, b) => b.length - a.length);
  return (pieces[0] ?? example).slice(0, 80);
}
