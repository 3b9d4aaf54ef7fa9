import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { GLOBAL_OPTIONS } from '../../src/cli/globals.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const doc = readFileSync(path.join(ROOT, 'docs', 'cli.md'), 'utf8');

describe('docs/cli.md', () => {
  it('has a section for every command, naming every option it takes and its --json shape', async () => {
    const missing: string[] = [];
    for (const [name, load] of Object.entries(COMMANDS)) {
      const cmd = (await load()).default;
      const start = doc.indexOf(`### \`pakt ${name}`);
      if (start === -1) {
        missing.push(`no section for ${name}`);
        continue;
      }
      const end = doc.indexOf('\n### ', start + 1);
      const section = doc.slice(start, end === -1 ? undefined : end);
      for (const option of Object.keys(cmd.options)) if (!section.includes(`--${option}`)) missing.push(`${name}: --${option}`);
      if (!section.includes('`--json`')) missing.push(`${name}: its --json shape`);
    }
    expect(missing).toEqual([]);
  });

  it('names every global option', () => {
    for (const name of Object.keys(GLOBAL_OPTIONS)) expect(doc, name).toContain(`\`--${name}`);
  });
});
