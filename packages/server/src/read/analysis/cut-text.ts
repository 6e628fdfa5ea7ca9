/**
 * The first `length` UTF-16 units of `text`, one fewer rather than half a
 * surrogate pair (a lone surrogate would become U+FFFD, or invalid JSON text
 * for some parsers).
 */
export function textPrefix(text: string, length: number): string {
  if (text.length <= length) return text;
  if (length <= 0) return '';
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

/** `text` when it has at most `maxChars` UTF-16 units; else its prefix and `…`, `maxChars` in all. */
export function cutText(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${textPrefix(text, maxChars - 1)}…`;
}
