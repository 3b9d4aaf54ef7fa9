/**
 * Every `pakt` command, loaded lazily so that `pakt pack` does not load SQLite.
 * Add a command: write src/cli/commands/<verb>.ts (default export: Command) and add one line here.
 */
import type { Command } from '../command.js';

export const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
  init: () => import('./init.js'),
  pack: () => import('./pack.js'),
  validate: () => import('./validate.js'),
  publish: () => import('./publish.js'),
  info: () => import('./info.js'),
  versions: () => import('./versions.js'),
  download: () => import('./download.js'),
  delete: () => import('./delete.js'),
  verify: () => import('./verify.js'),
  gc: () => import('./gc.js'),
  search: () => import('./search.js'),
  resolve: () => import('./resolve.js'),
  tree: () => import('./tree.js'),
  install: () => import('./install.js'),
  list: () => import('./list.js'),
  remove: () => import('./remove.js'),
  upgrade: () => import('./upgrade.js'),
  advisories: () => import('./advisories.js'),
  scan: () => import('./scan.js'),
  policy: () => import('./policy.js'),
  upstream: () => import('./upstream.js'),
  login: () => import('./login.js'),
  logout: () => import('./logout.js'),
  whoami: () => import('./whoami.js'),
};
