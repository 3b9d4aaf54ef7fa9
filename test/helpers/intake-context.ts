/**
 * What the intake routes (src/core/large-file-intake.ts, background-copy.ts, stream-intake.ts) use
 * of the manager's context, for tests that drive them directly: a temp folder, and whether the
 * store moves temp files into place (which decides whether the copy is flushed early).
 */
import path from 'node:path';
import type { CoreContext } from '../../src/core/context.js';
import { TempArea } from '../../src/core/temp-area.js';

export function intakeContext(dir: string, moveFromTemp = true): CoreContext {
  return { temp: new TempArea(path.join(dir, 'tmp')), storage: { capabilities: { moveFromTemp, persistent: true } } } as unknown as CoreContext;
}
