import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

/** The InputError `fn` throws; fails the test when it throws nothing or something else. */
export function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError, got none');
}
