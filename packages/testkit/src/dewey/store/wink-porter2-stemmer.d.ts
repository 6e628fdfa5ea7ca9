// The package ships no types; this is the one function it exports.
declare module 'wink-porter2-stemmer' {
  /** The Porter2 (Snowball English) stem of one lower-case word: "failed" → "fail". */
  export default function stem(word: string): string;
}
