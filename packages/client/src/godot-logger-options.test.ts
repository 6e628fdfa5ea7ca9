import { describe, expect, it } from 'vitest';
import { loggingEnabled } from './godot-logger-options.js';

describe('loggingEnabled', () => {
  it('is on unless LOGGING_ENABLED says false, 0 or no, in any case', () => {
    expect(loggingEnabled(undefined, {})).toBe(true);
    expect(loggingEnabled(undefined, { LOGGING_ENABLED: '' })).toBe(true);
    for (const value of ['true', 'TRUE', '1', 'yes', ' Yes ']) {
      expect(loggingEnabled(undefined, { LOGGING_ENABLED: value }), value).toBe(true);
    }
    for (const value of ['false', 'False', '0', 'no', 'NO ']) {
      expect(loggingEnabled(undefined, { LOGGING_ENABLED: value }), value).toBe(false);
    }
  });

  it('lets the `enabled` option decide over the environment', () => {
    expect(loggingEnabled(false, { LOGGING_ENABLED: 'true' })).toBe(false);
    expect(loggingEnabled(true, { LOGGING_ENABLED: 'false' })).toBe(true);
  });

  it('refuses any other value at start, naming the variable', () => {
    expect(() => loggingEnabled(undefined, { LOGGING_ENABLED: 'flase' })).toThrow(
      '@godot/client: LOGGING_ENABLED must be true or false, got flase',
    );
  });
});
