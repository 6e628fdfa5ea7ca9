// The log explorer's entry point: the views behind the tabs (chosen by the
// URL's fragment: #live, #search, #trace/<id>, #summary), and the status bar
// from GET /health. No framework and no build step; see index.html.

import { fetchHealth } from './api.js';
import { h } from './entries.js';
import { startLiveView } from './live.js';
import { setUpSearchView } from './search.js';
import { setUpSummaryView } from './summary.js';
import { setUpTraceView } from './trace.js';

const STATUS_EVERY_MS = 5000;

const search = setUpSearchView();
const trace = setUpTraceView();
const summary = setUpSummaryView();
let summaryLoaded = false;

/** Shows the view the fragment names, and starts what it needs. */
function route() {
  const fragment = location.hash.slice(1);
  const mark = fragment.indexOf('?');
  const path = mark === -1 ? fragment : fragment.slice(0, mark);
  const query = mark === -1 ? '' : fragment.slice(mark + 1);
  const [tab = 'live', argument = ''] = path.split('/', 2);
  const known = ['live', 'search', 'trace', 'summary'].includes(tab) ? tab : 'live';
  for (const view of document.querySelectorAll('.view')) {
    /** @type {HTMLElement} */ (view).hidden = view.id !== `view-${known}`;
  }
  for (const link of document.querySelectorAll('.tabs a')) {
    link.classList.toggle('active', /** @type {HTMLElement} */ (link).dataset.tab === known);
  }
  if (known === 'search' && query !== '') {
    search.run(Object.fromEntries(new URLSearchParams(query)));
  } else if (known === 'trace' && argument !== '') {
    trace.show(safeDecode(argument));
  } else if (known === 'summary' && !summaryLoaded) {
    summaryLoaded = true;
    summary.load();
  }
}

/** @param {string} text */
function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// The live view runs from the page's first load, whichever tab it opens on,
// so that going back to it shows what came meanwhile.
startLiveView();
window.addEventListener('hashchange', route);
route();

/** Fills the status bar: health, queue depth, Dewey, the recent window, drops. */
async function refreshStatus() {
  const bar = /** @type {HTMLElement} */ (document.getElementById('status'));
  try {
    const health = await fetchHealth();
    bar.replaceChildren(...statusItems(health));
    bar.dataset.status = String(health.status);
  } catch (error) {
    bar.replaceChildren(
      h('span', {
        class: 'item bad',
        text: `Godot unreachable: ${error instanceof Error ? error.message : error}`,
      }),
    );
    bar.dataset.status = 'unreachable';
  }
}

/**
 * @param {any} health `GET /health`'s report
 * @returns {HTMLElement[]}
 */
function statusItems(health) {
  const good = health.status === 'ok';
  const items = [
    h('span', { class: `item ${good ? 'good' : 'bad'}`, text: String(health.status ?? 'unknown') }),
  ];
  const queue = health.queue;
  if (queue) {
    const depth = ['waiting', 'delayed', 'active', 'paused'].reduce(
      (sum, state) => sum + Number(queue[state] ?? 0),
      0,
    );
    items.push(h('span', { class: 'item', text: `queue ${depth.toLocaleString()}` }));
    if (queue.failed)
      items.push(
        h('span', { class: 'item bad', text: `failed ${Number(queue.failed).toLocaleString()}` }),
      );
  }
  if (health.dewey) {
    items.push(
      h('span', {
        class: `item ${health.dewey.up ? 'good' : 'bad'}`,
        text: `Dewey ${health.dewey.up ? 'up' : 'down'}`,
      }),
    );
  }
  if (health.recent && typeof health.recent === 'object')
    items.push(h('span', { class: 'item', text: recentText(health.recent) }));
  if (Array.isArray(health.warnings) && health.warnings.length > 0) {
    const text = `${health.warnings.length} ${health.warnings.length === 1 ? 'warning' : 'warnings'}`;
    items.push(h('span', { class: 'item bad', title: health.warnings.join('\n'), text }));
  }
  const drops = dropsOf(health);
  if (drops !== undefined)
    items.push(
      h('span', {
        class: `item ${drops > 0 ? 'bad' : ''}`,
        text: `drops ${drops.toLocaleString()}`,
      }),
    );
  return items;
}

/**
 * The recent window's span, e.g. "recent 14 min of 15 min · 3,210 entries · 1.2 MB".
 * @param {{oldest?: string|null, newest?: string|null, entries?: number, bytes?: number, window_ms?: number}} recent
 */
function recentText(recent) {
  if (recent.entries === 0) return 'recent window empty';
  const oldest = recent.oldest ? Date.parse(recent.oldest) : Number.NaN;
  let text = 'recent';
  if (Number.isFinite(oldest)) text += ` ${span(Date.now() - oldest)}`;
  if (typeof recent.window_ms === 'number') text += ` of ${span(recent.window_ms)}`;
  const parts = [text];
  if (typeof recent.entries === 'number') parts.push(`${recent.entries.toLocaleString()} entries`);
  if (typeof recent.bytes === 'number') parts.push(`${(recent.bytes / 1_048_576).toFixed(1)} MB`);
  return parts.join(' · ');
}

/** @param {number} ms */
function span(ms) {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/**
 * Entries dropped by the queue bound, wherever this version of /health puts them.
 * @param {any} health
 * @returns {number | undefined}
 */
function dropsOf(health) {
  for (const value of [health.drops, health.dropped, health.queue?.dropped]) {
    if (typeof value === 'number') return value;
    if (value && typeof value === 'object' && typeof value.total === 'number') return value.total;
  }
  return undefined;
}

void refreshStatus();
setInterval(() => {
  if (!document.hidden) void refreshStatus();
}, STATUS_EVERY_MS);
