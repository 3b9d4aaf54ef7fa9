/**
 * Package name patterns (`@acme/*`, `lodash`, `lodash.*`, `*`): a name glob where `*` stands for
 * any run of characters, `/` included. Everything else matches itself.
 */
const PATTERN = /^[a-z0-9@/._*-]+$/;
const MAX_PATTERN_CHARS = 256;

export function isValidNamePattern(pattern: unknown): pattern is string {
  return typeof pattern === 'string' && pattern.length > 0 && pattern.length <= MAX_PATTERN_CHARS && PATTERN.test(pattern);
}

const compiled = new Map<string, RegExp>();

export function matchesNamePattern(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === name;
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&')).join('.*')}$`);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(name);
}
