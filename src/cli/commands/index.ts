/**
 * Every `pakt` command, loaded lazily so that `pakt pack` does not load SQLite.
 * Add a command: write src/cli/commands/<verb>.ts (default export: Command) and add one line here.
 */
import type { Command } from '../command.js';

export const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
};
