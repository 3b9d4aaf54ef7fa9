import type { DependencyTreeNode } from '../../resolve/types.js';
import type { Command } from '../command.js';
import { withRegistry } from '../open.js';
import { requirementsOf } from './resolve.js';

/**
 * The tree as a person reads it on a terminal:
 *   app@1.0.0
 *   ├── a@1.2.0
 *   │   └── c@2.0.0
 *   └── b@1.0.0
 *       └── c@2.0.0 (already shown above)
 */
export function renderTree(root: DependencyTreeNode): string {
  const lines = [`${root.name}@${root.version}`];
  // Iterative, like the tree itself: deep chains must not overflow the stack.
  const pending: Array<{ node: DependencyTreeNode; prefix: string; last: boolean }> = [];
  const pushChildren = (node: DependencyTreeNode, prefix: string): void => {
    for (let i = node.dependencies.length - 1; i >= 0; i--) {
      pending.push({ node: node.dependencies[i]!, prefix, last: i === node.dependencies.length - 1 });
    }
  };
  pushChildren(root, '');
  while (pending.length > 0) {
    const { node, prefix, last } = pending.pop()!;
    const note = node.repeated ? ' (already shown above)' : '';
    lines.push(`${prefix}${last ? '└── ' : '├── '}${node.name}@${node.version}${note}`);
    pushChildren(node, `${prefix}${last ? '    ' : '│   '}`);
  }
  return lines.join('\n');
}

const tree: Command = {
  name: 'tree',
  usage: 'tree <name@range>',
  summary: 'the resolved dependency tree of one package (a name alone means its latest version)',
  group: 'packages',
  examples: [{ command: "pakt tree 'app@^2.0.0'", does: 'app and its dependencies at the versions resolve picks, as a tree' }],
  options: {},
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const [[name, range]] = Object.entries(requirementsOf(args.positionals)) as [[string, string]];
    const root = await withRegistry(ctx, (registry) => registry.getDependencyTree(name, range));
    return { json: root, text: renderTree(root) };
  },
};

export default tree;
