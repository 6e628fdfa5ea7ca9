/** Options of `stripControlChars`. */
export interface StripControlOptions {
  /** Keep line feeds and tabs (multi-line text); otherwise they go like the rest. @default true */
  keepLineBreaks?: boolean;
}

const ESC = 0x1b;
const BEL = 0x07;
const C1_CSI = 0x9b;
const C1_ST = 0x9c;
/** C1 introducers of string sequences: DCS, SOS, OSC, PM, APC. */
const C1_STRINGS = new Set([0x90, 0x98, 0x9d, 0x9e, 0x9f]);
/** Second character of the 7-bit forms of the same: `ESC P`, `ESC X`, `ESC ]`, `ESC ^`, `ESC _`. */
const ESC_STRINGS = new Set(['P', 'X', ']', '^', '_']);

/**
 * `text` without anything a terminal would act on rather than print, for
 * text that comes from log entries (anyone can log anything): whole escape
 * sequences — CSI (`ESC [ … m`, cursor moves, screen clears), OSC (window
 * title, clipboard `52`, hyperlinks), DCS/SOS/PM/APC, two-character `ESC x`
 * and `ESC ( B` forms, and their 8-bit C1 introducers — then every remaining
 * C0 control, DEL and C1 control. Line feed and tab stay unless
 * `keepLineBreaks` is false; carriage return always goes (it lets a value
 * overwrite what was printed before it on the line).
 *
 * A string sequence with no terminator loses only its introducer: the rest
 * is printed as plain text rather than hidden.
 */
export function stripControlChars(text: string, options: StripControlOptions = {}): string {
  const keepLineBreaks = options.keepLineBreaks ?? true;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === ESC) {
      i = skipEscape(text, i);
    } else if (code === C1_CSI) {
      i = skipCsi(text, i + 1);
    } else if (C1_STRINGS.has(code)) {
      i = skipString(text, i + 1);
    } else {
      const lineBreak = code === 0x0a || code === 0x09;
      const control = code < 0x20 || inRange(code, 0x7f, 0x9f);
      if (!control || (lineBreak && keepLineBreaks)) out += text[i];
      i += 1;
    }
  }
  return out;
}

/** Controls that move to another line or column: read as line breaks before the rest goes. */
const MOVES = /[\r\v\f]/g;
/** Line breaks of any kind (U+2028/U+2029 included) and tabs, in runs. */
const BREAKS = /[\n\t\u2028\u2029]+/g;

/**
 * `text` as one line of a terminal: `stripControlChars`, then each run of
 * line breaks (carriage return, vertical tab and form feed included: they
 * end what came before as much as a line feed does) and tabs becomes one
 * space, so that a multi-line message cannot break a one-entry-per-line
 * listing apart, nor pass itself off as a line of its own.
 */
export function oneLine(text: string): string {
  return stripControlChars(text.replace(MOVES, '\n')).replace(BREAKS, ' ');
}

/** Index after the escape sequence starting with ESC at `at`. */
function skipEscape(text: string, at: number): number {
  const next = text[at + 1];
  if (next === undefined) return at + 1;
  if (next === '[') return skipCsi(text, at + 2);
  if (ESC_STRINGS.has(next)) return skipString(text, at + 2);
  let i = at + 1;
  // nF: intermediates 0x20-0x2F, then a final 0x30-0x7E (`ESC ( B`).
  while (i < text.length && inRange(text.charCodeAt(i), 0x20, 0x2f)) i += 1;
  if (i < text.length && inRange(text.charCodeAt(i), 0x30, 0x7e)) return i + 1;
  return at + 1; // A lone ESC: drop it, keep what follows.
}

/** Index after a CSI whose parameters start at `from`: params and intermediates, then a final byte. */
function skipCsi(text: string, from: number): number {
  let i = from;
  while (i < text.length && inRange(text.charCodeAt(i), 0x20, 0x3f)) i += 1;
  if (i < text.length && inRange(text.charCodeAt(i), 0x40, 0x7e)) return i + 1;
  return i;
}

/**
 * Index after a string sequence (OSC, DCS…) whose body starts at `from`,
 * ended by BEL, `ESC \` or C1 ST. Without a terminator, only the introducer
 * is skipped.
 */
function skipString(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === BEL || code === C1_ST) return i + 1;
    if (code === ESC && text[i + 1] === '\\') return i + 2;
  }
  return from;
}

function inRange(code: number, low: number, high: number): boolean {
  return code >= low && code <= high;
}
