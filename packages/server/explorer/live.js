// Live view: new entries as Godot accepts them, by long-polling logger_tail
// with the cursor of each answer. The first call (wait_ms 0) only takes a
// cursor, so that everything accepted from then on is shown.

import { ApiError, callTool } from './api.js';
import { entryItem, formValues, setNotice, sleep } from './entries.js';

const FILTERS = ['component', 'level', 'trace_id', 'search'];
/** Rows kept on screen; older ones leave at the bottom. */
const MAX_ROWS = 1000;
const WAIT_MS = 10_000;

/** Starts the live view in its section (`#view-live`); it runs until paused. */
export function startLiveView() {
  const section = /** @type {HTMLElement} */ (document.getElementById('view-live'));
  const form = /** @type {HTMLFormElement} */ (document.getElementById('live-filters'));
  const list = /** @type {HTMLOListElement} */ (document.getElementById('live-list'));
  const notice = /** @type {HTMLElement} */ (document.getElementById('live-notice'));
  const pause = /** @type {HTMLButtonElement} */ (document.getElementById('live-pause'));
  const clear = /** @type {HTMLButtonElement} */ (document.getElementById('live-clear'));

  /** @type {string | undefined} */
  let cursor;
  let filters = formValues(form, FILTERS);
  let paused = false;
  /** @type {AbortController | undefined} */
  let running;

  // `data-state` tells people (and tests) where the view stands:
  // starting, listening (a cursor is held), paused, stopped (bad filters).
  const setState = (state) => {
    section.dataset.state = state;
  };

  /** @param {AbortSignal} signal */
  async function poll(signal) {
    let failures = 0;
    while (!signal.aborted) {
      /** @type {Record<string, unknown>} */
      const args = { ...filters, limit: 200, wait_ms: cursor === undefined ? 0 : WAIT_MS };
      if (cursor !== undefined) args.cursor = cursor;
      try {
        const answer = await callTool('logger_tail', args, signal);
        if (signal.aborted) return;
        cursor = answer.cursor;
        setState('listening');
        show(answer.logs ?? []);
        if (answer.missed) {
          const count = answer.missed === true ? 'Some' : String(answer.missed);
          setNotice(notice, `${count} entries left the recent window before they could be shown.`);
        } else if (failures > 0) setNotice(notice, '');
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ApiError && error.status === 400) {
          // Bad filters stay bad: wait for the person to change them.
          setState('stopped');
          setNotice(notice, error.message, 'error');
          return;
        }
        failures += 1;
        const delay = Math.min(10_000, 500 * 2 ** failures);
        setNotice(
          notice,
          `${error instanceof Error ? error.message : error}; retrying in ${Math.round(delay / 1000)} s`,
          'error',
        );
        await sleep(delay);
      }
    }
  }

  /** @param {any[]} logs oldest first */
  function show(logs) {
    // Newest on top: each entry goes above the ones before it.
    for (const entry of logs) list.prepend(entryItem(entry));
    while (list.childElementCount > MAX_ROWS) list.lastElementChild?.remove();
  }

  function run() {
    running?.abort();
    running = new AbortController();
    setState(cursor === undefined ? 'starting' : 'listening');
    void poll(running.signal);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filters = formValues(form, FILTERS);
    // New filters start from now: what is on screen matched the old ones.
    cursor = undefined;
    list.replaceChildren();
    setNotice(notice, '');
    paused = false;
    pause.textContent = 'Pause';
    run();
  });
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (paused) {
      running?.abort();
      setState('paused');
    } else run(); // from the cursor: what arrived meanwhile comes first
  });
  clear.addEventListener('click', () => list.replaceChildren());

  run();
}
