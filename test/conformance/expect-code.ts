/**
 * Asserts that a call fails with a RegistryError of the given code (sync or async), and returns
 * the error for further checks: `const err = await expectCode(() => f(), 'E_PKG_NAME_INVALID')`.
 * Part of `pakt/conformance`, so that a provider's own tests can use it too.
 */
import { expect } from 'vitest';
import { RegistryError, type ErrorCode } from '../../src/errors.js';

export async function expectCode<C extends ErrorCode>(fn: () => unknown, code: C): Promise<RegistryError<C>> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected a RegistryError ${code}, but nothing was thrown`).toBeDefined();
  expect(caught, `expected a RegistryError, got ${String(caught)}`).toBeInstanceOf(RegistryError);
  expect((caught as RegistryError).code, (caught as Error).message).toBe(code);
  return caught as RegistryError<C>;
}
