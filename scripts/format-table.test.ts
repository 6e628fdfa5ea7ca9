import { describe, expect, it } from 'vitest';
import { formatTable } from './format-table.js';

/** Any C0 control but tab and line feed, DEL, or any C1 control. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('formatTable', () => {
  it('prints no control character that a log entry carried, in any cell or header', () => {
    const hostile = 'x\u001b]0;pwned\u0007\u001b[2J\r\nover\u009b1Ay\u0000';
    const table = formatTable(
      ['h\u001b[5m', 'b'],
      [
        [hostile, 'ok'],
        ['plain', hostile],
      ],
    );
    expect(table).not.toMatch(CONTROL);
    expect(table).not.toContain('\t');
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toContain('x overy');
  });

  it('aligns columns on the printed text, not on the removed sequences', () => {
    const table = formatTable(
      ['a', 'b'],
      [
        ['\u001b[31mred\u001b[0m', '1'],
        ['green', '2'],
      ],
    );
    expect(table.split('\n')).toEqual(['a      b', '-----  -', 'red    1', 'green  2']);
  });
});
