import { RegistryError } from '../../errors.js';
import type { SearchHit } from '../../contracts/search.js';
import type { Command } from '../command.js';
import { withRegistry } from '../open.js';

/** --limit/--offset arrive as text; anything but a whole number ≥ 0 is refused before searching. */
function count(value: unknown, name: 'limit' | 'offset'): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d{1,9}$/.test(text)) {
    throw new RegistryError('E_SEARCH_OPTION_INVALID', `--${name} must be a whole number of zero or more, got '${text}'`, { path: name, found: text });
  }
  return Number(text);
}

function text(hits: readonly SearchHit[], total: number, offset: number): string {
  if (hits.length === 0) return total === 0 ? 'no packages found' : `no more results (${total} in all)`;
  const nameWidth = Math.max(...hits.map((h) => h.name.length + (h.exact ? 2 : 0)));
  const versionWidth = Math.max(...hits.map((h) => h.version.length));
  const lines = hits.map((h) => {
    const name = h.exact ? `${h.name} *` : h.name;
    const description = h.description.length > 80 ? `${h.description.slice(0, 79)}…` : h.description;
    return `${name.padEnd(nameWidth)}  ${h.version.padEnd(versionWidth)}  ${h.score.toFixed(2).padStart(5)}  ${description}`;
  });
  const shown = `${offset + 1}-${offset + hits.length} of ${total}`;
  const legend = hits.some((h) => h.exact) ? '; * exact name' : '';
  return `${lines.join('\n')}\n(${shown}; score: higher is better${legend})`;
}

const search: Command = {
  name: 'search',
  usage: 'search <query> [--tag t] [--author a] [--capability c] [--limit n] [--offset n]',
  summary: 'ranked, typo-tolerant search; one item per package, at its latest version; scores are higher for better matches',
  group: 'packages',
  examples: [
    { command: 'pakt search "yaml parser" --tag parser --limit 5', does: 'the five best matches tagged parser' },
    { command: "pakt search '' --capability browse --json", does: 'every package declaring a capability, most downloaded first, as JSON' },
  ],
  options: {
    tag: { type: 'string', value: '<tag>', description: 'only packages with this tag (exact, case-insensitive)' },
    author: { type: 'string', value: '<author>', description: 'only packages by this author (exact, case-insensitive)' },
    capability: { type: 'string', value: '<capability>', description: 'only packages declaring this capability (exact, case-insensitive)' },
    limit: { type: 'string', value: '<n>', description: 'results per page (default 20)' },
    offset: { type: 'string', value: '<n>', description: 'results to skip, for the next pages (default 0)' },
  },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const query = args.positionals[0]!;
    const limit = count(args.values['limit'], 'limit');
    const offset = count(args.values['offset'], 'offset');
    const result = await withRegistry(ctx, (registry) =>
      registry.searchPackages(query, {
        ...(limit !== undefined && { limit }),
        ...(offset !== undefined && { offset }),
        ...(typeof args.values['tag'] === 'string' && { tag: args.values['tag'] }),
        ...(typeof args.values['author'] === 'string' && { author: args.values['author'] }),
        ...(typeof args.values['capability'] === 'string' && { capability: args.values['capability'] }),
      }),
    );
    const items = result.items.map((h) => ({ name: h.name, version: h.version, description: h.description, score: h.score, exact: h.exact }));
    return { json: { total: result.total, items }, text: text(result.items, result.total, offset ?? 0) };
  },
};

export default search;
