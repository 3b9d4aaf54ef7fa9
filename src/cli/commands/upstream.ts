import { isStore } from '../../../providers/index.js';
import { RegistryError } from '../../errors.js';
import { isUrl, normalizeUpstream, readUpstreams, writeUpstreams, UpstreamRegistry } from '../../upstream/index.js';
import type { Command } from '../command.js';
import { openStore, refuseRemote } from '../open.js';

const USAGE = 'upstream add <url|dir> [--priority n] [--token-env VAR] | list | remove <url|dir> | health';

const upstream: Command = {
  name: 'upstream',
  usage: USAGE,
  summary: 'name the registries this store reads through (Pakt servers, other stores), and show their health',
  group: 'transfer',
  examples: [
    { command: 'pakt upstream add https://pakt.example.com --priority 10 --token-env PAKT_UPSTREAM_TOKEN', does: 'read through a team server, asked first' },
    { command: 'pakt upstream health --json', does: 'ask each upstream once and show latency, failures and cache hit rate' },
  ],
  options: {
    priority: { type: 'string', value: '<n>', description: 'add: lower is asked first, 0 to 1000 (default 100)' },
    'token-env': { type: 'string', value: '<VAR>', description: 'add: the environment variable holding the bearer token for a server (the token is never stored)' },
  },
  positionals: { min: 1, max: 2 },
  async run(args, ctx) {
    refuseRemote(ctx, 'pakt upstream');
    const [sub, target] = args.positionals as [string, string | undefined];
    if (!isStore(ctx.store)) throw new RegistryError('E_REGISTRY_NOT_FOUND', `there is no pakt store at ${ctx.store}`, { path: ctx.store });
    const list = await readUpstreams(ctx.store);
    const usage = (what: string) => new RegistryError('E_USAGE', `${what}: pakt ${USAGE}`, { hint: 'Run `pakt upstream --help`.' });
    if ((sub === 'list' || sub === 'health') && target !== undefined) throw usage(`'upstream ${sub}' takes no argument`);
    if (sub !== 'add' && (args.values['priority'] !== undefined || args.values['token-env'] !== undefined)) throw usage('--priority and --token-env go with `upstream add`');
    if (sub === 'add') {
      if (target === undefined) throw usage("'upstream add' needs a URL or a store folder");
      const priorityText = args.values['priority'];
      const priority = priorityText === undefined ? undefined : /^\d+$/.test(String(priorityText)) ? Number(priorityText) : NaN;
      const entry = normalizeUpstream({ location: target, ...(priority !== undefined ? { priority } : {}), ...(args.values['token-env'] !== undefined ? { tokenEnv: args.values['token-env'] } : {}) }, ctx.cwd);
      if (!isUrl(entry.location) && !isStore(entry.location)) throw new RegistryError('E_UPSTREAM_INVALID', `${entry.location} holds no pakt store`);
      if (!isUrl(entry.location) && entry.location === ctx.store) throw new RegistryError('E_UPSTREAM_INVALID', 'a store cannot be its own upstream');
      if (list.some((u) => u.location === entry.location)) throw new RegistryError('E_UPSTREAM_EXISTS', `${entry.location} is already an upstream of this store`);
      await writeUpstreams(ctx.store, [...list, entry]);
      return { json: entry, confirmation: `added upstream ${entry.location} (priority ${entry.priority}${entry.tokenEnv ? `, token from $${entry.tokenEnv}` : ''}); publishes still go to this store only` };
    }
    if (sub === 'remove') {
      if (target === undefined) throw usage("'upstream remove' needs the URL or folder to remove");
      const wanted = isUrl(target) ? normalizeUpstream({ location: target }).location : normalizeUpstream({ location: target }, ctx.cwd).location;
      const kept = list.filter((u) => u.location !== wanted);
      if (kept.length === list.length) throw new RegistryError('E_UPSTREAM_NOT_FOUND', `this store has no upstream ${wanted}`);
      await writeUpstreams(ctx.store, kept);
      return { json: { removed: wanted }, confirmation: `removed upstream ${wanted}` };
    }
    if (sub === 'list') {
      return {
        json: { upstreams: list },
        text: list.length === 0 ? 'no upstreams (reads are answered by this store alone)' : list.map((u) => `${String(u.priority).padStart(4)}  ${u.location}${u.tokenEnv ? `  (token: $${u.tokenEnv})` : ''}`).join('\n'),
      };
    }
    if (sub === 'health') {
      const registry = await openStore(ctx);
      try {
        if (!(registry instanceof UpstreamRegistry)) return { json: { offline: false, upstreams: [] }, text: 'no upstreams' };
        const stats = await registry.upstreams.probe();
        const text = stats.map((s) => `${s.location}  ${s.circuit === 'closed' ? (s.failures === 0 && s.requests > 0 ? 'ok' : s.requests === 0 ? 'not asked' : 'failing') : `circuit ${s.circuit}`}${s.meanLatencyMs !== undefined ? `  ${s.meanLatencyMs} ms` : ''}${s.lastError ? `  last error: ${s.lastError}` : ''}`);
        return { json: { offline: registry.offline, upstreams: stats }, text: (registry.offline ? ['offline: no upstream was asked'] : []).concat(text).join('\n') };
      } finally {
        await registry.close();
      }
    }
    throw usage(`unknown upstream command '${String(sub).slice(0, 40)}'`);
  },
};

export default upstream;
