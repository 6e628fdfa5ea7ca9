import { describe, expect, it } from 'vitest';
import { oneLine, stripControlChars } from './terminal-text.js';

describe('stripControlChars', () => {
  it.each([
    ['colours', 'a\u001b[31mred\u001b[0m b', 'ared b'],
    ['screen clear and cursor moves', '\u001b[2J\u001b[H\u001b[1;1Hx\u001b[?25l', 'x'],
    ['window title (OSC, BEL)', 'a\u001b]0;pwned\u0007b', 'ab'],
    ['clipboard write (OSC 52, ESC \\)', 'a\u001b]52;c;ZXZpbA==\u001b\\b', 'ab'],
    ['hyperlink', '\u001b]8;;http://evil\u001b\\click\u001b]8;;\u001b\\', 'click'],
    ['DCS', 'a\u001bP1$qm\u001b\\b', 'ab'],
    ['two-character and nF forms', 'a\u001bcb\u001b(Bc\u001b7d', 'abcd'],
    ['8-bit CSI and OSC', 'a\u009b31mb\u009d0;t\u009cc', 'abc'],
    ['other C1, DEL, NUL, BS, CR, VT, FF', 'a\u0085\u007f\u0000\b\r\u000b\u000cb', 'ab'],
    ['a lone ESC at the end', 'ab\u001b', 'ab'],
    ['an unterminated OSC: only its introducer goes', 'a\u001b]0;title', 'a0;title'],
  ])('%s', (_, input, expected) => {
    expect(stripControlChars(input)).toBe(expected);
  });

  it('keeps line feeds and tabs unless told otherwise, and all printable text', () => {
    const text = 'line 1\n\tline 2 — ünïcödé 🙂 «»';
    expect(stripControlChars(text)).toBe(text);
    expect(stripControlChars('a\nb\tc', { keepLineBreaks: false })).toBe('abc');
  });
});

describe('oneLine', () => {
  it('makes every line break, tab and Unicode separator run one space, after removing escapes', () => {
    expect(oneLine('a\n\n\tb\r\nc\u2028d\u2029e')).toBe('a b c d e');
    expect(oneLine('x\u001b]0;title\u0007\ny\u009b2J')).toBe('x y');
    expect(oneLine('red\u001b[0m\rover\u000bvt\u000cff')).toBe('red over vt ff');
    expect(oneLine('plain — ünï 🙂  two spaces')).toBe('plain — ünï 🙂  two spaces');
  });
});
