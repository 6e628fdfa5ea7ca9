import { describe, expect, it } from 'vitest';
import { replaceNulInJson } from './sanitize.js';

const clean = (value: unknown) => {
  const result = replaceNulInJson(JSON.stringify(value));
  return { value: JSON.parse(result.json) as unknown, changed: result.changed };
};

describe('replaceNulInJson', () => {
  it('replaces NUL in strings, keys and nested values', () => {
    expect(
      clean({ message: 'a\u0000b', data: { 'k\u0000': ['x\u0000', { y: '\u0000' }] } }),
    ).toEqual({
      value: { message: 'a\uFFFDb', data: { 'k\uFFFD': ['x\uFFFD', { y: '\uFFFD' }] } },
      changed: true,
    });
  });

  it('leaves an escaped backslash followed by the text u0000 alone', () => {
    const literal = '\\u0000 is how JSON writes NUL';
    expect(clean({ message: literal })).toEqual({ value: { message: literal }, changed: false });
  });

  it('replaces a NUL that follows a literal backslash', () => {
    expect(clean({ m: '\\\u0000' })).toEqual({ value: { m: '\\\uFFFD' }, changed: true });
  });

  it('returns clean input unchanged', () => {
    const json = JSON.stringify({ a: 'plain' });
    expect(replaceNulInJson(json)).toEqual({ json, changed: false });
  });
});
