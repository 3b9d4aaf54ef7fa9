/**
 * Fault injection for the pipelines (after yauzl's test/errors.js): wraps real providers so that
 * the N-th call across all of them fails, either before the call reaches the provider or after it
 * did its work (a lost answer). Running an operation for every N walks the failure through every
 * step of the pipeline.
 */
import { RegistryError } from '../../src/errors.js';

export type FaultMode = 'before' | 'after';

export class FaultPlan {
  calls = 0;
  triggered: string | undefined;
  constructor(readonly failAt: number, readonly mode: FaultMode) {}

  /** Wraps every method of `provider` (but not close) so it counts against this plan. */
  wrap<T extends object>(provider: T, label: string): T {
    return new Proxy(provider, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || prop === 'close') {
          return prop === 'close' ? () => undefined : value;
        }
        return (...args: unknown[]) => {
          this.calls += 1;
          const name = `${label}.${String(prop)}`;
          if (this.calls !== this.failAt) return (value as (...a: unknown[]) => unknown).apply(target, args);
          this.triggered = name;
          const fault = new RegistryError('E_IO', `injected fault in ${name} (call ${this.failAt}, ${this.mode})`);
          if (prop === 'allVersions' || prop === 'list') return failingIterable(fault);
          if (this.mode === 'before') {
            // Async methods fail asynchronously, like a real disk error.
            return Promise.reject(fault);
          }
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          return Promise.resolve(result).then(() => Promise.reject(fault));
        };
      },
    });
  }
}

/** An async iterable whose first step fails (a listing that breaks on its first read). */
function failingIterable(fault: Error): AsyncIterable<never> {
  return {
    [Symbol.asyncIterator]() {
      return { next: () => Promise.reject(fault) };
    },
  };
}
