import { describe, expect, it } from 'vitest';
import { argumentRepr, jsonbText, pythonRepr, pythonStr } from './python-text.js';

describe('python-text', () => {
  it('prints values like Python repr and str', () => {
    expect(pythonRepr(null)).toBe('None');
    expect(pythonRepr([true, 1, 2.5, 'x'])).toBe("[True, 1, 2.5, 'x']");
    expect(pythonRepr({ k: "it's" })).toBe(`{'k': "it's"}`);
    expect(pythonRepr('tab\there\u0000')).toBe("'tab\\there\\x00'");
    expect(pythonStr('plain')).toBe('plain');
    expect(pythonStr(null)).toBe('None');
    expect(argumentRepr('x'.repeat(50))).toBe(`'${'x'.repeat(39)}...`);
  });

  it('prints jsonb text: spaced separators, short keys first, unicode kept', () => {
    expect(jsonbText({ x: 'y' })).toBe('{"x": "y"}');
    expect(jsonbText({ bb: 1, a: [1, { d: null, c: 'é' }], ab: true })).toBe(
      '{"a": [1, {"c": "é", "d": null}], "ab": true, "bb": 1}',
    );
    expect(jsonbText('s')).toBe('"s"');
  });
});
