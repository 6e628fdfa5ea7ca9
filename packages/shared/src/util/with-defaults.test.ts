import { expect, it } from 'vitest';
import { withDefaults } from './with-defaults.js';

it('keeps a default when the option is undefined, and takes any other value', () => {
  expect(withDefaults({ a: 1, b: 2, c: 3 }, { a: undefined, b: 0, d: 'x' })).toEqual({
    a: 1,
    b: 0,
    c: 3,
    d: 'x',
  });
});
