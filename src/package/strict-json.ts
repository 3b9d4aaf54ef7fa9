/**
 * A strict JSON parser for metadata.json and manifest.json.
 *
 * JSON.parse keeps the last of two duplicate keys, accepts `__proto__` as a key (harmless in
 * JSON.parse itself, but a prototype-pollution vector as soon as the result is merged into
 * another object) and recurses as deep as the input nests. This parser refuses all three with
 * stable codes, refuses invalid UTF-8 and a byte-order mark, and builds every object with a null
 * prototype while parsing, so no key can reach Object.prototype even transiently. The caller
 * gets plain objects, given their ordinary prototype once the document is known to be clean.
 *
 * The size bound is the caller's job (it is checked on the declared size, before reading).
 */
import { RegistryError, type ErrorCode } from '../errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Keys that would reach or replace a prototype if the parsed object were ever merged or assigned. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface StrictJsonOptions {
  /** Maximum nesting of objects and arrays (the top-level value counts as depth 1). */
  maxDepth: number;
  /** Names the document in messages, e.g. `metadata.json`. */
  source: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function fail(code: ErrorCode, source: string, message: string, pointer?: string): never {
  throw new RegistryError(code, `${source}: ${message}`, { path: pointer === undefined ? source : `${source}#${pointer}` });
}

/** Parses UTF-8 bytes (or a string) strictly; throws RegistryError E_PKG_JSON_* on any fault. */
export function parseStrictJson(input: Uint8Array | string, options: StrictJsonOptions): JsonValue {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = utf8.decode(input);
    } catch {
      fail('E_PKG_JSON_SYNTAX', options.source, 'is not valid UTF-8');
    }
  }
  if (text.charCodeAt(0) === 0xfeff) fail('E_PKG_JSON_SYNTAX', options.source, 'starts with a byte-order mark; save it as UTF-8 without BOM');
  const parser = new Parser(text, options);
  return toPlain(parser.parseDocument());
}

/**
 * Gives the finished null-prototype objects the ordinary prototype, so callers get plain objects
 * (string conversion, hasOwnProperty). Safe now, and only now: the whole document has been read
 * and no key named __proto__, constructor or prototype exists anywhere in it. Done in place
 * rather than by copying, which halves the work on a 32 MiB manifest.
 */
function toPlain(value: JsonValue): JsonValue {
  if (Array.isArray(value)) {
    for (const item of value) toPlain(item);
  } else if (value !== null && typeof value === 'object') {
    for (const key in value) toPlain(value[key]!);
    Object.setPrototypeOf(value, Object.prototype);
  }
  return value;
}

class Parser {
  private pos = 0;
  private readonly pointer: string[] = [];

  constructor(
    private readonly text: string,
    private readonly options: StrictJsonOptions,
  ) {}

  parseDocument(): JsonValue {
    this.skipWhitespace();
    const value = this.parseValue(1);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.syntax('unexpected text after the JSON value');
    return value;
  }

  private where(): string {
    let line = 1;
    let column = 1;
    for (let i = 0; i < this.pos && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        column = 1;
      } else column++;
    }
    return `line ${line}, column ${column}`;
  }

  private jsonPointer(): string {
    return '/' + this.pointer.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
  }

  private syntax(what: string): never {
    fail('E_PKG_JSON_SYNTAX', this.options.source, `${what} at ${this.where()}`);
  }

  private skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private parseValue(depth: number): JsonValue {
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.parseObject(depth);
      case '[':
        return this.parseArray(depth);
      case '"':
        return this.parseString();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
        return this.syntax(c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`);
    }
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.syntax(`invalid literal (expected ${word})`);
  }

  private enter(depth: number): void {
    if (depth > this.options.maxDepth) {
      fail('E_PKG_JSON_TOO_DEEP', this.options.source, `nests deeper than ${this.options.maxDepth} levels at ${this.jsonPointer()} (limits.maxJsonDepth)`, this.jsonPointer());
    }
  }

  private parseObject(depth: number): JsonValue {
    this.enter(depth);
    this.pos++; // {
    const out = Object.create(null) as { [key: string]: JsonValue };
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.syntax('expected a string key');
      const key = this.parseString();
      this.pointer.push(key);
      if (FORBIDDEN_KEYS.has(key)) {
        fail('E_PKG_JSON_FORBIDDEN_KEY', this.options.source, `key '${key}' at ${this.jsonPointer()} is forbidden (__proto__, constructor and prototype keys are refused)`, this.jsonPointer());
      }
      // `in` is an own-property test here: the object has no prototype while it is being built.
      if (key in out) {
        fail('E_PKG_JSON_DUPLICATE_KEY', this.options.source, `key '${key}' appears twice in the same object at ${this.jsonPointer()} (${this.where()})`, this.jsonPointer());
      }
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.syntax(`expected ':' after key '${key}'`);
      this.pos++;
      this.skipWhitespace();
      out[key] = this.parseValue(depth + 1);
      this.pointer.pop();
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return out;
      }
      this.syntax("expected ',' or '}'");
    }
  }

  private parseArray(depth: number): JsonValue {
    this.enter(depth);
    this.pos++; // [
    const out: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      this.pointer.push(String(out.length));
      out.push(this.parseValue(depth + 1));
      this.pointer.pop();
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return out;
      }
      this.syntax("expected ',' or ']'");
    }
  }

  private parseString(): string {
    const t = this.text;
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.syntax('unterminated string');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.syntax('control character in string (escape it)');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(runStart, this.pos);
      const e = t[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = t.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.syntax('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          this.pos -= 1;
          this.syntax('invalid escape in string');
      }
      runStart = this.pos;
    }
  }

  private parseNumber(): number {
    const rest = this.text.slice(this.pos, this.pos + 512);
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(rest);
    if (!m) return this.syntax('invalid number');
    const next = this.text[this.pos + m[0].length];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.syntax('invalid number');
    this.pos += m[0].length;
    return Number(m[0]);
  }
}
