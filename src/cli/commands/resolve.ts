import { RegistryError } from '../../errors.js';
import { parseSpec } from '../../package/name-version.js';
import type { Command } from '../command.js';
import { withRegistry } from '../open.js';

/** `name@range` arguments as a root map; each package may be named once. */
export function requirementsOf(specs: readonly string[]): Record<string, string> {
  const root: Record<string, string> = {};
  for (const spec of specs) {
    const parsed = parseSpec(spec);
    if (parsed === null) {
      throw new RegistryError('E_USAGE', `'${spec.slice(0, 80)}' is not a package requirement; write name@range, e.g. left-pad@^1.0.0`);
    }
    if (Object.hasOwn(root, parsed.name)) {
      throw new RegistryError('E_USAGE', `${parsed.name} is required twice (${root[parsed.name]} and ${parsed.range}); give each package once, with one range such as '>=1.2.0,<2.0.0'`);
    }
    root[parsed.name] = parsed.range;
  }
  return root;
}

const resolve: Command = {
  name: 'resolve',
  usage: 'resolve <name@range>...',
  summary: 'pick one version per package for these requirements, or explain why none fits (a name alone means its latest version)',
  group: 'packages',
  examples: [
    { command: "pakt resolve 'app@^2.0.0'", does: 'one version of app and of each of its dependencies' },
    { command: "pakt resolve 'app@^2.0.0' 'lib@>=1.2.0,<2.0.0' --json", does: 'several requirements together, as {"solution":{...}}' },
  ],
  options: {},
  positionals: { min: 1, max: Infinity },
  async run(args, ctx) {
    const root = requirementsOf(args.positionals);
    // An unsatisfiable set throws E_UNSATISFIABLE; main prints its message (the explanation)
    // and, with --json, the error document with kind, explanation and derivation.
    const { solution } = await withRegistry(ctx, (registry) => registry.resolveDependencies(root));
    const names = Object.keys(solution);
    return {
      json: { solution },
      text: names.length === 0 ? 'nothing to install' : names.map((n) => `${n}@${solution[n]}`).join('\n'),
    };
  },
};

export default resolve;
