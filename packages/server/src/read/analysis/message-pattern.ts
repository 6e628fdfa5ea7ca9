import { cutText, textPrefix } from './cut-text.js';

/**
 * Message patterns: a message with its variable parts folded into
 * placeholders, so that messages which differ only by values group together
 * in `logger_summary`.
 *
 * | in the message | becomes |
 * |---|---|
 * | `"…"`, or `'…'` opened after no letter or digit (`can't` stays) | `"<str>"` |
 * | UUID | `<uuid>` |
 * | ISO date or date-time, or a time of day `10:00:00.5` | `<time>` |
 * | IPv4 address, with or without a port | `<ip>` |
 * | e-mail address | `<email>` |
 * | `0x…`, or 8+ hex digits with a letter among them | `<hex>` |
 * | a standalone number: `7`, `-32603`, `1.5`, `1e5`, `1.2.3`, with its unit: `12ms`, `5MB`, `1h30m` | `<n>`, `<n>ms`, `<n>MB`, `<n>h<n>m` |
 * | `host:6379`, `file.ts:42` (each `:`-separated part on its own) | `host:<n>`, `file.ts:<n>` |
 * | a `-`/`_`-separated segment of 3+ digits, or of 8+ hex digits: `job-12345`, `req_8f3a9b2c1d` | `job-<n>`, `req_<hex>` |
 * | a 16+ character token of letters and 2+ digits (generated ids) | `<id>` |
 * | an ANSI escape sequence (`ESC[31m`) | nothing |
 * | a run of whitespace, control characters included | one space |
 *
 * Words that merely contain digits stay: `v2`, `utf8`, `sha256`, `utf-8`,
 * `v1.2.3`, `worker-3`. Only ASCII letters and digits make words (`\w`).
 * A pattern is at most {@link MAX_PATTERN_CHARS} characters, then `…`.
 *
 * It runs on every entry of a 15-minute window (hundreds of thousands), so
 * it makes one pass over the message by character code (`foldAll`); only
 * tokens that hold a digit or `@` are classified, by anchored precompiled
 * regexes on the token alone. Everything is linear in the message: a quoted
 * value is looked for over at most 300 characters, and only the first
 * {@link MAX_INPUT_CHARS} characters of a message are read.
 */
export function messagePattern(message: string): string {
  return cutText(foldAll(textPrefix(message, MAX_INPUT_CHARS)), MAX_PATTERN_CHARS);
}

/** The longest pattern, `…` included: enough to tell messages apart, small in a reply. */
export const MAX_PATTERN_CHARS = 200;

/** Characters of a message read: past this a pattern would be cut anyway. */
export const MAX_INPUT_CHARS = 1000;

/** The longest quoted value folded; a quote with no end within it is left as it is. */
const MAX_QUOTED_CHARS = 300;

/** ASCII letter, digit or `_` (`\w`). */
const WORD = 1;
/** Also part of a token: `.`, `:`, `@`, `+`, `-`. */
const JOINER = 2;

/** WORD, JOINER or 0 for each ASCII character, by char code. */
const KIND = (() => {
  const kinds = new Uint8Array(128);
  for (let code = 0; code < 128; code++) {
    const char = String.fromCharCode(code);
    if (/\w/.test(char)) kinds[code] = WORD;
    else if ('.:@+-'.includes(char)) kinds[code] = JOINER;
  }
  return kinds;
})();

/** WORD, JOINER, or 0 for anything else (non-ASCII included, and NaN past either end). */
function kindOf(code: number): number {
  return code < 128 ? (KIND[code] ?? 0) : 0;
}

/**
 * One pass over the message, by character code: quoted values, tokens
 * (runs of word characters and joiners) that hold a digit or `@`, and
 * whitespace other than a single space are replaced; everything else is
 * copied by slices. Hand-written: one big regex with a replacer callback
 * took two to three times as long.
 */
function foldAll(text: string): string {
  let out = '';
  let copied = 0;
  let index = 0;
  const length = text.length;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (kindOf(code) !== 0) {
      let end = index;
      let foldable = false;
      for (; end < length; end++) {
        const next = text.charCodeAt(end);
        if (kindOf(next) === 0) break;
        if ((next >= 0x30 && next <= 0x39) || next === 0x40) foldable = true;
      }
      if (foldable) {
        const token = text.slice(index, end);
        const folded = foldTokenWithTail(token);
        if (folded !== token) {
          out += text.slice(copied, index) + folded;
          copied = end;
        }
      }
      index = end;
      continue;
    }
    if (code === 0x22 || (code === 0x27 && !isWordOrQuote(text.charCodeAt(index - 1)))) {
      const close = closingQuote(text, index, code);
      if (close !== -1) {
        out += `${text.slice(copied, index)}"<str>"`;
        index = close + 1;
        copied = index;
        continue;
      }
    } else if (code === 0x1b || code === 0x9b) {
      const end = ansiEnd(text, index);
      if (end !== -1) {
        out += text.slice(copied, index);
        index = end;
        copied = index;
        continue;
      }
    }
    if (isSpaceOrControl(code)) {
      let end = index + 1;
      // An ANSI sequence ends the run: it is dropped whole.
      while (end < length && isSpaceOrControl(text.charCodeAt(end)) && !isAnsi(text, end)) end++;
      if (code !== 0x20 || end - index > 1) {
        out += `${text.slice(copied, index)} `;
        copied = end;
      }
      index = end;
      continue;
    }
    index++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Where the quote opened at `open` closes: the next unescaped same quote
 * within MAX_QUOTED_CHARS on the same line (for `'`, not followed by a word
 * character, so `'s` in prose is no value); -1 when none.
 */
function closingQuote(text: string, open: number, quote: number): number {
  const last = Math.min(text.length - 1, open + MAX_QUOTED_CHARS + 1);
  for (let index = open + 1; index <= last; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x5c) index++;
    else if (code === 0x0a) return -1;
    else if (code === quote) {
      return quote === 0x27 && kindOf(text.charCodeAt(index + 1)) === WORD ? -1 : index;
    }
  }
  return -1;
}

/**
 * The end of an ANSI control sequence (colours, cursor moves: CSI, `ESC [` or
 * C1 `0x9b`, parameters, one final byte) that starts at `start`; -1 when
 * there is none. It is dropped whole: left to the space rule, `ESC[31m`
 * would read ` [<n>m`.
 */
function ansiEnd(text: string, start: number): number {
  let index = text.charCodeAt(start) === 0x9b ? start + 1 : start + 2;
  if (index === start + 2 && text.charCodeAt(start + 1) !== 0x5b) return -1;
  const last = Math.min(text.length, index + 32);
  for (; index < last; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0x40 && code <= 0x7e) return index + 1;
    if (code < 0x20 || code > 0x3f) return -1;
  }
  return -1;
}

function isAnsi(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return (code === 0x1b || code === 0x9b) && ansiEnd(text, index) !== -1;
}

function isWordOrQuote(code: number): boolean {
  return code === 0x27 || kindOf(code) === WORD;
}

/** What `\s` matches, and the C0 and C1 control characters. */
function isSpaceOrControl(code: number): boolean {
  if (code <= 0x20) return true;
  if (code < 0x7f) return false;
  return (
    code <= 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME =
  /^(?:\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?|\d\d:\d\d:\d\d(?:\.\d+)?)(?:Z|[+-]\d\d:?\d\d)?$/i;
const IP = /^\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?$/;
const EMAIL = /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/;
const HEX_0X = /^0x[0-9a-f]+$/i;
/** A number and its unit, or alternating numbers and units (`1h30m`); leading digit, so `v2` is not one. */
const NUMBER = /^[-+]?\d+(?:\.\d+)*(?:e[-+]?\d+)?(?:[a-zµ%]+\d+(?:\.\d+)*)*[a-zµ%]*$/i;
const DIGITS = /\d+(?:\.\d+)*(?:e[-+]?\d+)?/gi;
const SIGN = /^[-+]/;
/** A `-`/`_`-separated segment holding a digit, made only of hex digits. */
const SEGMENT = /(?<![^_-])[0-9a-f]*\d[0-9a-f]*(?![^_-])/gi;
const LONG_ID = /^[\w-]{16,}$/;

/** A token less its trailing `.`/`:` (sentence punctuation), folded, and the punctuation put back. */
function foldTokenWithTail(token: string): string {
  let end = token.length;
  while (end > 0 && (token.charCodeAt(end - 1) === 0x2e || token.charCodeAt(end - 1) === 0x3a))
    end--;
  if (end === 0) return token;
  if (end === token.length) return foldToken(token, true);
  return foldToken(token.slice(0, end), true) + token.slice(end);
}

/** What a token is made of, as bits (`shapeOf`): most tokens are told apart without a regex. */
const DIGIT = 1;
const HEX_LETTER = 2;
const OTHER_LETTER = 4;
const DASH = 8;
const COLON = 16;
const DOT = 32;
const AT = 64;
const OTHER = 128;

function shapeOf(token: string): number {
  let shape = 0;
  for (let index = 0; index < token.length; index++) {
    const code = token.charCodeAt(index);
    if (code >= 0x30 && code <= 0x39) shape |= DIGIT;
    else if ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x66) shape |= HEX_LETTER;
    else if ((code | 0x20) >= 0x67 && (code | 0x20) <= 0x7a) shape |= OTHER_LETTER;
    else if (code === 0x2d) shape |= DASH;
    else if (code === 0x3a) shape |= COLON;
    else if (code === 0x2e) shape |= DOT;
    else if (code === 0x40) shape |= AT;
    else shape |= OTHER;
  }
  return shape;
}

/**
 * One token, trailing `.`/`:` removed; `split`: its `:`-separated parts may
 * be folded one by one. The checks go from the most specific form to the
 * least; the shape only skips the regexes that could not match.
 */
function foldToken(token: string, split: boolean): string {
  const shape = shapeOf(token);
  if (shape === DIGIT) return '<n>';
  const first = token.charCodeAt(0);
  const digitFirst = first >= 0x30 && first <= 0x39;
  const hexOnly = (shape & ~(DIGIT | HEX_LETTER)) === 0;
  if (token.length === 36 && (shape & ~(DIGIT | HEX_LETTER | DASH)) === 0 && UUID.test(token)) {
    return '<uuid>';
  }
  if (digitFirst) {
    if (shape & (DASH | COLON) && TIME.test(token)) return '<time>';
    if (shape & DOT && IP.test(token)) return '<ip>';
    if (HEX_0X.test(token)) return '<hex>';
  }
  if (hexOnly && token.length >= 8 && shape & HEX_LETTER) return '<hex>';
  if ((digitFirst || first === 0x2d || first === 0x2b) && NUMBER.test(token)) {
    return token.replace(DIGITS, '<n>').replace(SIGN, '');
  }
  if (shape & AT && EMAIL.test(token)) return '<email>';
  if (split && shape & COLON) {
    return token
      .split(':')
      .map((part) => (part === '' ? part : foldToken(part, false)))
      .join(':');
  }
  if (shape & (DASH | OTHER)) {
    const folded = token.replace(SEGMENT, foldSegment);
    if (folded !== token) return folded;
  }
  return token.length >= 16 && LONG_ID.test(token) && isGeneratedId(token) ? '<id>' : token;
}

function foldSegment(segment: string): string {
  if (/^\d{3,}$/.test(segment)) return '<n>';
  return segment.length >= 8 && /[a-f]/i.test(segment) ? '<hex>' : segment;
}

/** Letters with 2+ digits among them: what generated ids look like, and names rarely do. */
function isGeneratedId(token: string): boolean {
  let digits = 0;
  let letters = 0;
  for (let index = 0; index < token.length; index++) {
    const code = token.charCodeAt(index);
    if (code >= 0x30 && code <= 0x39) digits++;
    else if ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) letters++;
  }
  return digits >= 2 && letters > 0;
}
