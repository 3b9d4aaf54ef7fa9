import { openRemoteRegistry } from '../../../providers/index.js';
import { RegistryError } from '../../errors.js';
import { readToken, serverBaseUrl } from '../../remote/index.js';
import type { Command } from '../command.js';
import { registryUrl } from '../open.js';

const whoami: Command = {
  name: 'whoami',
  usage: 'whoami [url]',
  summary: 'show which user the token for a Pakt server belongs to (default server: --registry / $PAKT_REGISTRY)',
  group: 'server',
  examples: [{ command: 'pakt whoami https://pakt.example.com --json', does: 'the user and role the server sees' }],
  options: {},
  positionals: { min: 0, max: 1 },
  async run(args, ctx) {
    const url = (args.positionals[0] as string | undefined) ?? registryUrl(ctx);
    if (url === undefined) throw new RegistryError('E_USAGE', 'pakt whoami needs the server: pakt whoami <url> (or --registry / PAKT_REGISTRY)', { hint: 'Give the URL you logged in to.' });
    if (!ctx.env['PAKT_TOKEN'] && (await readToken(url, ctx.env)) === undefined) {
      throw new RegistryError('E_NOT_LOGGED_IN', `no token for ${serverBaseUrl(url)}: not logged in, and PAKT_TOKEN is not set`);
    }
    const remote = await openRemoteRegistry({ url }, ctx.env);
    try {
      const me = await remote.whoami();
      return { json: { url: remote.url, ...me }, text: `${me.user}${me.role ? ` (${me.role})` : ''} on ${remote.url}` };
    } finally {
      await remote.close();
    }
  },
};

export default whoami;
