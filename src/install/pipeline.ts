/**
 * Install operations are ordered lists of named steps, like the core's pipelines
 * (src/core/steps.ts): each step is timed, may add figures to its report, and may have an `undo`
 * run (in reverse order, the failing step included) when a later step fails. The core's runner
 * is tied to the core's context; install steps carry everything in their state instead, so they
 * run over any InstallSource.
 */
import { performance } from 'node:perf_hooks';
import { toRegistryError, type RegistryError } from '../errors.js';
import type { StepReport } from '../core/types.js';

export interface InstallStep<S> {
  readonly name: string;
  run(state: S): Promise<Record<string, unknown> | void>;
  undo?(state: S): Promise<void>;
}

/** Runs `steps` in order; on failure undoes the started ones in reverse and throws a RegistryError. */
export async function runInstallSteps<S>(steps: ReadonlyArray<InstallStep<S>>, state: S): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  const started: Array<InstallStep<S>> = [];
  for (const step of steps) {
    const t0 = performance.now();
    started.push(step);
    try {
      const figures = await step.run(state);
      reports.push({ step: step.name, ms: Math.round((performance.now() - t0) * 1000) / 1000, ...(figures ?? {}) });
    } catch (err) {
      const error = toRegistryError(err, 'E_INTERNAL', `install step '${step.name}' failed`);
      if (error.details['step'] === undefined) error.details['step'] = step.name;
      await undoAll(started, state, error);
      throw error;
    }
  }
  return reports;
}

async function undoAll<S>(started: ReadonlyArray<InstallStep<S>>, state: S, error: RegistryError): Promise<void> {
  const failures: string[] = [];
  for (const step of [...started].reverse()) {
    if (!step.undo) continue;
    try {
      await step.undo(state);
    } catch (undoErr) {
      failures.push(`${step.name}: ${undoErr instanceof Error ? undoErr.message : String(undoErr)}`);
    }
  }
  if (failures.length > 0) error.details['rollbackErrors'] = failures;
}

/** Runs `fn` over `items` with at most `limit` at once; the first failure fails the whole (the rest finish first). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
  return results;
}
