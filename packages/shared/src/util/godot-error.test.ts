import { describe, expect, it } from 'vitest';
import { GodotError } from './godot-error.js';

class SampleError extends GodotError<'SAMPLE_A' | 'SAMPLE_B'> {}

describe('GodotError', () => {
  it('carries a code, a cause and the subclass name', () => {
    const cause = new Error('root');
    const error = new SampleError('SAMPLE_A', 'went wrong', { cause });
    expect(error).toBeInstanceOf(GodotError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('SAMPLE_A');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('SampleError');
    expect(error.message).toBe('went wrong');
  });
});
