import { describe, expect, it } from 'vitest';
import { porterStem } from './english-stem.js';
import { compileWebSearch, parseWebSearch } from './web-search.js';

describe('porterStem', () => {
  it('reduces inflections to one stem', () => {
    for (const word of ['fail', 'failed', 'failing', 'fails'])
      expect(porterStem(word)).toBe('fail');
    expect(porterStem('connections')).toBe('connect');
    expect(porterStem('running')).toBe('run');
    expect(porterStem('hello')).toBe('hello');
    expect(porterStem('timeout')).toBe('timeout');
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
