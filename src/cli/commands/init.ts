import { isStore } from '../../../providers/index.js';
import type { Command } from '../command.js';
import { withRegistry } from '../open.js';

const init: Command = {
  name: 'init',
  usage: 'init',
  summary: 'create an empty store (idempotent): --store, $PAKT_STORE, else ./.pakt',
  group: 'packages',
  examples: [
    { command: 'pakt init', does: 'create the store ./.pakt (or the one $PAKT_STORE names)' },
    { command: 'pakt --store /srv/pakt init', does: 'create a store in /srv/pakt' },
  ],
  options: {},
  positionals: { min: 0, max: 0 },
  async run(_args, ctx) {
    const existed = isStore(ctx.store);
    await withRegistry(ctx, async () => undefined, { create: true });
    return {
      json: { store: ctx.store },
      confirmation: existed ? `Store at ${ctx.store} already exists; nothing to do.` : `Created an empty store at ${ctx.store}`,
    };
  },
};

export default init;
