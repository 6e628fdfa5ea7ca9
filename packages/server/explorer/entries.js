// Building the DOM from entries. Entries hold whatever their senders wrote, so
// every value becomes text (createElement, textContent, append of strings):
// nothing from an entry is parsed as markup, and the only links are the
// page's own `#…` fragments.

/** Levels, most severe first; each has a colour class `lvl-<LEVEL>`. */
export const LEVELS = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'];

/**
 * Creates an element. `props`: `class`, `text` (textContent), `title`,
 * `href` (a `#` fragment only), `on<event>` listeners, other attributes as
 * strings. Children are nodes or strings (appended as text).
 * @param {string} tag
 * @param {Record<string, unknown> | null} [props]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = String(value);
    else if (key === 'text') element.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else if (key === 'href' && !String(value).startsWith('#')) {
      throw new Error('h: only fragment links are built');
    } else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/**
 * The link to a trace's timeline.
 * @param {string} traceId
 * @param {string} [text] @default the id's first 8 characters
 */
export function traceLink(traceId, text) {
  return h('a', {
    class: 'trace-link',
    href: `#trace/${encodeURIComponent(traceId)}`,
    title: `trace ${traceId}`,
    text: text ?? `${traceId.slice(0, 8)}…`,
  });
}

/**
 * Milliseconds since the epoch of an entry's time, NaN when it is none.
 * Godot stamps `…Z`; a row from Dewey may carry no zone, which means UTC
 * there but local time to `Date.parse`.
 * @param {unknown} text
 */
export function timeMs(text) {
  const value = String(text ?? '');
  const zoned = /T.*(Z|[+-]\d\d:?\d\d)$/i.test(value) || !value.includes('T');
  return Date.parse(zoned ? value : `${value}Z`);
}

/**
 * A time as the page shows it: local `HH:MM:SS.mmm` (the ISO value in its title).
 * @param {string} iso
 */
export function timeOf(iso) {
  const date = new Date(timeMs(iso));
  if (Number.isNaN(date.getTime())) return h('time', { text: String(iso) });
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  const text = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  return h('time', { datetime: date.toISOString(), title: date.toISOString(), text });
}

/**
 * A level badge, coloured by its class.
 * @param {string} level
 */
export function levelBadge(level) {
  const known = LEVELS.includes(level) ? level : 'unknown';
  return h('span', { class: `level lvl-${known}`, text: level });
}

/**
 * One entry as a list item: time, level, component, message, trace link,
 * and `data` as a folded JSON tree.
 * @param {{component: string, level: string, message: string, trace_id?: string|null, data?: unknown, created_at: string}} entry
 */
export function entryItem(entry) {
  const level = String(entry.level);
  return h(
    'li',
    { class: `entry lvl-${LEVELS.includes(level) ? level : 'unknown'}` },
    timeOf(entry.created_at),
    levelBadge(level),
    h('span', { class: 'component', text: String(entry.component) }),
    h('span', { class: 'message', text: String(entry.message) }),
    typeof entry.trace_id === 'string'
      ? traceLink(entry.trace_id)
      : h('span', { class: 'trace-none' }),
    entry.data !== null && entry.data !== undefined ? jsonTree(entry.data, 'data') : null,
  );
}

/**
 * A JSON value as a tree of <details>, folded; each level's children are
 * built when it is first opened, so a large `data` costs nothing until read.
 * @param {unknown} value
 * @param {string} [label]
 * @returns {HTMLElement}
 */
export function jsonTree(value, label) {
  const key = label === undefined ? null : h('span', { class: 'json-key', text: label });
  if (value === null || typeof value !== 'object') {
    return h('div', { class: 'json-leaf' }, key, key && ': ', jsonScalar(value));
  }
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : Object.entries(value);
  const count = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  const details = h(
    'details',
    { class: 'json' },
    h('summary', null, key, key && ' ', h('span', { class: 'json-count', text: count })),
  );
  details.addEventListener('toggle', function fill() {
    if (!details.open) return;
    details.removeEventListener('toggle', fill);
    const children = h('div', { class: 'json-children' });
    for (const [childKey, child] of entries) children.append(jsonTree(child, childKey));
    details.append(children);
  });
  return details;
}

/** @param {unknown} value */
function jsonScalar(value) {
  const type = value === null ? 'null' : typeof value;
  const text = type === 'string' ? JSON.stringify(value) : String(value);
  return h('span', { class: `json-${type}`, text });
}

/**
 * The filters of a form as tool arguments: the non-empty, trimmed values of
 * the named fields.
 * @param {HTMLFormElement} form
 * @param {string[]} names
 * @returns {Record<string, string>}
 */
export function formValues(form, names) {
  /** @type {Record<string, string>} */
  const values = {};
  for (const name of names) {
    const field = /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name));
    const value = field?.value.trim() ?? '';
    if (value !== '') values[name] = value;
  }
  return values;
}

/**
 * A message for a notice line.
 * @param {HTMLElement} notice
 * @param {string} text
 * @param {'info' | 'error'} [kind]
 */
export function setNotice(notice, text, kind = 'info') {
  notice.textContent = text;
  notice.className = `notice notice-${kind}`;
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
