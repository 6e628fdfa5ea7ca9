import { describe, expect, it } from 'vitest';
import { compileWebSearch, englishLexeme, parseWebSearch } from './web-search.js';

describe('englishLexeme', () => {
  it('reduces inflections to one Porter2 stem', () => {
    for (const word of ['fail', 'failed', 'failing', 'fails'])
      expect(englishLexeme(word)).toBe('fail');
    expect(englishLexeme('connections')).toBe('connect');
    expect(englishLexeme('running')).toBe('run');
    expect(englishLexeme('hello')).toBe('hello');
    expect(englishLexeme('timeout')).toBe('timeout');
    // Where Porter2 (PostgreSQL's) differs from the original Porter ("gener").
    expect(englishLexeme('generously')).toBe('generous');
  });

  it('drops stop words and keeps words with digits as they are', () => {
    expect(englishLexeme('the')).toBeUndefined();
    expect(englishLexeme('because')).toBeUndefined();
    expect(englishLexeme('abc123')).toBe('abc123');
    expect(englishLexeme('42')).toBe('42');
  });
});

describe('compileWebSearch', () => {
  const text = 'The worker failed to connect: connection refused by 10.0.0.7';

  it('matches whole stemmed words, not prefixes', () => {
    expect(compileWebSearch('fails')(text)).toBe(true);
    expect(compileWebSearch('connecting')(text)).toBe(true);
    expect(compileWebSearch('work')(text)).toBe(false);
    expect(compileWebSearch('refuse')(text)).toBe(true);
  });

  it('matches nothing for stop words only or an empty query', () => {
    expect(compileWebSearch('the to by')(text)).toBe(false);
    expect(compileWebSearch('')(text)).toBe(false);
    expect(parseWebSearch('  "" - or ')).toEqual([]);
  });

  it('handles phrases, exclusion and or', () => {
    expect(compileWebSearch('"connection refused"')(text)).toBe(true);
    expect(compileWebSearch('"refused connection"')(text)).toBe(false);
    expect(compileWebSearch('"failed connect"')(text)).toBe(false);
    expect(compileWebSearch('"failed to connect"')(text)).toBe(true);
    expect(compileWebSearch('worker -refused')(text)).toBe(false);
    expect(compileWebSearch('-timeout')(text)).toBe(true);
    expect(compileWebSearch('timeout or refused')(text)).toBe(true);
    expect(compileWebSearch('timeout worker')(text)).toBe(false);
  });
});
