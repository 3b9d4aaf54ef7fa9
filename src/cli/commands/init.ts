import { isStore, openRegistry } from '../../index.js';
import type { Command } from '../command.js';

const init: Command = {
  name: 'init',
  usage: 'init',
  summary: 'create an empty store (idempotent): --store, $PAKT_STORE, else ./.pakt',
  options: {},
  positionals: { min: 0, max: 0 },
  async run(_args, ctx) {
    const existed = isStore(ctx.store);
    const registry = await openRegistry({ path: ctx.store, create: true });
    await registry.close();
    return {
      json: { store: ctx.store },
      text: existed ? `Store at ${ctx.store} already exists; nothing to do.` : `Created an empty store at ${ctx.store}`,
    };
  },
};

export default init;
