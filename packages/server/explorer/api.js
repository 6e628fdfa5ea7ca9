// Godot's JSON API as the page uses it: the read tools at POST /api/tools/<name>
// and GET /health. When the server has a token, a 401 shows the token form once;
// the token is kept in sessionStorage only (gone with the tab, never in a URL)
// and sent as `Authorization: Bearer`.

const TOKEN_KEY = 'godot-token';

/** A refusal from the API: `status` is the HTTP status, the message the server's. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** @type {Promise<void> | undefined} the open token form, shared by every call waiting for it */
let tokenAsked;

/**
 * Calls a read tool and returns its structuredContent. Waits for the token
 * form when the server asks for a token, then tries again.
 * @param {string} name `logger_tail`, `logger_query`, `logger_trace` or `logger_summary`
 * @param {Record<string, unknown>} args the tool's arguments
 * @param {AbortSignal} [signal]
 * @returns {Promise<any>}
 */
export async function callTool(name, args, signal) {
  for (;;) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    /** @type {Record<string, string>} */
    const headers = { 'Content-Type': 'application/json' };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(`/api/tools/${name}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(args),
      cache: 'no-store',
      signal,
    });
    if (response.status === 401) {
      // A token entered while this call was out is tried at once; the one
      // this call sent was refused.
      if (sessionStorage.getItem(TOKEN_KEY) !== token) continue;
      sessionStorage.removeItem(TOKEN_KEY);
      await askForToken(token === null ? undefined : 'That token was refused. Try again.', signal);
      continue;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
      throw new ApiError(response.status, message);
    }
    return body;
  }
}

/**
 * `GET /health`'s report (open, no token), whatever its status code.
 * @returns {Promise<any>}
 */
export async function fetchHealth() {
  const response = await fetch('/health', { cache: 'no-store' });
  return response.json();
}

/**
 * Shows the token form and hides the views (no data is shown without the
 * token) until a token is entered.
 * @param {string | undefined} message
 * @param {AbortSignal | undefined} signal
 */
function askForToken(message, signal) {
  tokenAsked ??= new Promise((resolve) => {
    const form = /** @type {HTMLFormElement} */ (document.getElementById('token-form'));
    const views = /** @type {HTMLElement} */ (document.getElementById('views'));
    const text = /** @type {HTMLElement} */ (document.getElementById('token-message'));
    if (message !== undefined) text.textContent = message;
    views.hidden = true;
    form.hidden = false;
    const input = /** @type {HTMLInputElement} */ (form.elements.namedItem('token'));
    input.focus();
    form.addEventListener('submit', function onSubmit(event) {
      event.preventDefault();
      const value = input.value.trim();
      if (value === '') return;
      sessionStorage.setItem(TOKEN_KEY, value);
      input.value = '';
      form.hidden = true;
      views.hidden = false;
      form.removeEventListener('submit', onSubmit);
      tokenAsked = undefined;
      resolve();
    });
  });
  if (signal === undefined) return tokenAsked;
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    tokenAsked?.then(() => {
      signal.removeEventListener('abort', abort);
      resolve(undefined);
    });
  });
}
