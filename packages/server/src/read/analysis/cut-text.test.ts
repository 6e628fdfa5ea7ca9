import { describe, expect, it } from 'vitest';
import { cutText, textPrefix } from './cut-text.js';

describe('textPrefix and cutText', () => {
  it('keep short text as it is', () => {
    expect(textPrefix('abc', 3)).toBe('abc');
    expect(cutText('abc', 3)).toBe('abc');
  });

  it('cut long text, marking it with … within the limit', () => {
    expect(textPrefix('abcdef', 3)).toBe('abc');
    expect(cutText('abcdef', 4)).toBe('abc…');
    expect(textPrefix('abc', 0)).toBe('');
  });

  it('never split a surrogate pair', () => {
    expect(textPrefix('a😀b', 2)).toBe('a');
    expect(cutText('ab😀cd', 4)).toBe('ab…');
    expect(cutText('ab😀cd', 5)).toBe('ab😀…');
  });
});
