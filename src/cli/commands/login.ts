import { openRemoteRegistry } from '../../../providers/index.js';
import { RegistryError, isRegistryError } from '../../errors.js';
import { credentialsPath, writeToken } from '../../remote/index.js';
import type { Command } from '../command.js';

const login: Command = {
  name: 'login',
  usage: 'login <url> [--token <token>]',
  summary: 'store a token for a Pakt server in ~/.config/pakt/credentials.json (mode 0600), after checking it with the server',
  group: 'server',
  examples: [
    { command: 'pakt login https://pakt.example.com --token "$TOKEN"', does: 'check the token with the server and keep it for later commands' },
    { command: 'pakt login https://pakt.example.com < token.txt', does: 'the same, reading the token from stdin (kept off the command line)' },
  ],
  options: { token: { type: 'string', value: '<token>', description: 'the token (default: read from stdin when it is not a terminal, else $PAKT_TOKEN)' } },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const [url] = args.positionals as [string];
    let token = typeof args.values['token'] === 'string' ? args.values['token'] : undefined;
    if (token === undefined && ctx.stdin.isTTY !== true) token = (await readAll(ctx.stdin)).trim() || undefined;
    if (token === undefined && ctx.env['PAKT_TOKEN']) token = ctx.env['PAKT_TOKEN'];
    if (token === undefined) throw new RegistryError('E_USAGE', 'pakt login needs a token: --token <token>, on stdin, or in $PAKT_TOKEN', { hint: 'Get a token from whoever runs the server, then run `pakt login <url> --token <token>` (or pipe the token in on stdin).' });
    const remote = await openRemoteRegistry({ url, token }, ctx.env);
    let user: string | undefined;
    try {
      user = (await remote.whoami()).user;
    } catch (err) {
      // A server without the whoami route still takes the token; a refused token is never stored.
      if (!isRegistryError(err, 'E_PACKAGE_NOT_FOUND')) throw err;
    } finally {
      await remote.close();
    }
    await writeToken(remote.url, token, ctx.env);
    const file = credentialsPath(ctx.env);
    return { json: { url: remote.url, user: user ?? null, file }, confirmation: `logged in to ${remote.url}${user ? ` as ${user}` : ''} (token kept in ${file})` };
  },
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.length > 16_384) break;
  }
  return text;
}

export default login;
