/**
 * Pipelines are ordered lists of named steps (DESIGN.md, "The publish pipeline"). A step may have
 * an `undo`; when a step fails, it and the steps already done are undone in reverse order, so a
 * refused or failed operation leaves the store as it found it. Each step is timed, and may add
 * figures to its report.
 */
import { performance } from 'node:perf_hooks';
import { toRegistryError, type RegistryError } from '../errors.js';
import type { CoreContext } from './context.js';
import type { StepReport } from './types.js';

export interface Step<S> {
  readonly name: string;
  /** Runs the step; the returned figures (if any) go into its report. */
  run(state: S, ctx: CoreContext): Promise<Record<string, unknown> | void>;
  /**
   * Reverses what run() did. Called for every step that started, the failing one included, in
   * reverse order: a provider may have done its work and then failed to say so, so undo checks
   * what is actually there rather than trusting that run() got nowhere.
   */
  undo?(state: S, ctx: CoreContext): Promise<void>;
}

/**
 * Runs the steps in order. On failure, undoes the started steps in reverse and throws the
 * original error as a RegistryError; an undo that fails too is recorded on the error
 * (`details.rollbackErrors`) rather than hiding the first failure.
 */
export async function runSteps<S>(steps: ReadonlyArray<Step<S>>, state: S, ctx: CoreContext): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  const done: Array<Step<S>> = [];
  for (const step of steps) {
    const started = performance.now();
    done.push(step);
    try {
      const figures = await step.run(state, ctx);
      reports.push({ step: step.name, ms: round(performance.now() - started), ...(figures ?? {}) });
    } catch (err) {
      const error = toRegistryError(err, 'E_INTERNAL', `step '${step.name}' failed`);
      if (error.details['step'] === undefined) error.details['step'] = step.name;
      await undoAll(done, state, ctx, error);
      throw error;
    }
  }
  return reports;
}

async function undoAll<S>(done: ReadonlyArray<Step<S>>, state: S, ctx: CoreContext, error: RegistryError): Promise<void> {
  const failures: string[] = [];
  for (const step of [...done].reverse()) {
    if (!step.undo) continue;
    try {
      await step.undo(state, ctx);
    } catch (undoErr) {
      failures.push(`${step.name}: ${undoErr instanceof Error ? undoErr.message : String(undoErr)}`);
    }
  }
  if (failures.length > 0) error.details['rollbackErrors'] = failures;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
