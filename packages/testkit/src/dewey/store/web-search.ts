// Referenced here, not only listed in tsconfig, so that every package that
// compiles this file from source (the godot-source condition) sees the types.
/// <reference path="./wink-porter2-stemmer.d.ts" />
import stem from 'wink-porter2-stemmer';

/**
 * An approximation of PostgreSQL's
 * `to_tsvector('english', message) @@ websearch_to_tsquery('english', search)`,
 * which is how Dewey filters on `search` (docs/dewey-contract.md,
 * `dewey_query_logs`). Kept: whole-word matching on stems (no prefixes), stop
 * words that count as positions but never match, `"quoted phrases"` (adjacent
 * words), `-word` (exclude), `or` between terms, and a query of stop words only
 * matching nothing. Not kept: PostgreSQL's special tokens (URLs, e-mails,
 * hyphenated compounds) — words are runs of letters and digits.
 */

/** PostgreSQL's `english.stop` list: these words never match anything. */
const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself ' +
    'she her hers herself it its itself they them their theirs themselves what which who whom ' +
    'this that these those am is are was were be been being have has had having do does did ' +
    'doing a an the and but if or because as until while of at by for with about against ' +
    'between into through during before after above below to from up down in out on off over ' +
    'under again further then once here there when where why how all any both each few more ' +
    'most other some such no nor not only own same so than too very s t can will just don ' +
    'should now'
  ).split(' '),
);

/**
 * What PostgreSQL's `english` configuration makes of one lower-case word:
 * nothing for a stop word, the Snowball English (Porter2) stem for a word of
 * letters, and words with digits as they are (its `simple` dictionary).
 */
export function englishLexeme(word: string): string | undefined {
  if (ENGLISH_STOP_WORDS.has(word)) return undefined;
  return /^\p{L}+$/u.test(word) ? stem(word) : word;
}

/** One stemmed word of a text and its 1-based position (stop words take positions too). */
interface Token {
  lexeme: string | undefined;
  position: number;
}

/** A word or quoted phrase of the query: lexemes with their offsets from the first one. */
interface Term {
  lexemes: ReadonlyArray<{ lexeme: string; offset: number }>;
  negated: boolean;
}

/** A compiled search: any group matches when all of its terms match. */
export type WebSearchQuery = ReadonlyArray<ReadonlyArray<Term>>;

/** A text's lexemes and the positions they occur at (PostgreSQL's tsvector). */
export type TsVector = ReadonlyMap<string, readonly number[]>;

function tokenize(text: string): Token[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.map((word, i) => ({ lexeme: englishLexeme(word), position: i + 1 }));
}

/** Builds the tsvector of a text. */
export function toTsVector(text: string): TsVector {
  const vector = new Map<string, number[]>();
  for (const { lexeme, position } of tokenize(text)) {
    if (lexeme === undefined) continue;
    const positions = vector.get(lexeme);
    if (positions) positions.push(position);
    else vector.set(lexeme, [position]);
  }
  return vector;
}

/** Parses a `websearch_to_tsquery` string. */
export function parseWebSearch(search: string): WebSearchQuery {
  const groups: Term[][] = [[]];
  let pendingOr = false;
  let i = 0;
  while (i < search.length) {
    const char = search[i] ?? '';
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const negated = char === '-';
    if (negated) i++;
    let chunk: string;
    const quoted = search[i] === '"';
    if (quoted) {
      const close = search.indexOf('"', i + 1);
      const end = close === -1 ? search.length : close;
      chunk = search.slice(i + 1, end);
      i = end + 1;
    } else {
      const start = i;
      while (i < search.length && !/[\s"]/.test(search[i] ?? '')) i++;
      chunk = search.slice(start, i);
    }
    const current = groups[groups.length - 1] ?? [];
    if (!quoted && !negated && chunk.toLowerCase() === 'or') {
      // `or` only joins two terms; a leading or doubled `or` is ignored.
      pendingOr = current.length > 0;
      continue;
    }
    const tokens = tokenize(chunk).filter((t) => t.lexeme !== undefined);
    const first = tokens[0];
    if (!first) continue; // only stop words or punctuation: PostgreSQL drops the term
    const term: Term = {
      lexemes: tokens.map((t) => ({ lexeme: t.lexeme ?? '', offset: t.position - first.position })),
      negated,
    };
    if (pendingOr) {
      groups.push([term]);
      pendingOr = false;
    } else {
      current.push(term);
    }
  }
  return groups.filter((group) => group.length > 0);
}

function termMatches(term: Term, vector: TsVector): boolean {
  const [head, ...rest] = term.lexemes;
  if (!head) return false;
  const starts = vector.get(head.lexeme) ?? [];
  return starts.some((start) =>
    rest.every(({ lexeme, offset }) => vector.get(lexeme)?.includes(start + offset) ?? false),
  );
}

/** True when the text's tsvector satisfies the query; an empty query matches nothing. */
export function matchesWebSearch(query: WebSearchQuery, vector: TsVector): boolean {
  return query.some((group) => group.every((term) => termMatches(term, vector) !== term.negated));
}

/** Compiles `search` once and returns a predicate over texts. */
export function compileWebSearch(search: string): (text: string) => boolean {
  const query = parseWebSearch(search);
  return (text) => matchesWebSearch(query, toTsVector(text));
}
