import { RegistryError } from '../../errors.js';
import { serverBaseUrl, writeToken } from '../../remote/index.js';
import type { Command } from '../command.js';
import { registryUrl } from '../open.js';

const logout: Command = {
  name: 'logout',
  usage: 'logout [url]',
  summary: 'forget the stored token for a Pakt server (default: --registry / $PAKT_REGISTRY)',
  group: 'server',
  examples: [{ command: 'pakt logout https://pakt.example.com', does: 'remove its entry from the credentials file' }],
  options: {},
  positionals: { min: 0, max: 1 },
  async run(args, ctx) {
    const url = (args.positionals[0] as string | undefined) ?? registryUrl(ctx);
    if (url === undefined) throw new RegistryError('E_USAGE', 'pakt logout needs the server: pakt logout <url> (or --registry / PAKT_REGISTRY)', { hint: 'Give the URL you logged in to.' });
    const base = serverBaseUrl(url);
    if (!(await writeToken(base, undefined, ctx.env))) throw new RegistryError('E_NOT_LOGGED_IN', `no token is stored for ${base}`);
    return { json: { url: base }, confirmation: `logged out of ${base}` };
  },
};

export default logout;
