/**
 * Durations and expiry times as people write them: `90m`, `36h`, `7d`, `2w`, or combined
 * (`1d12h`); an expiry is a duration from now, a date (`2026-03-31`: the exemption stops applying
 * at 00:00 UTC that day), or an RFC 3339 time.
 */
import { RegistryError } from '../errors.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+)\s*([mhdw])/gy;
/** Longer than any advisory age or exemption anyone means (and far below Date's range). */
const MAX_MS = 100 * 365 * 86_400_000;

/** Milliseconds, or null when `text` is not a duration. */
export function durationMs(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const value = text.trim().toLowerCase();
  if (value === '' || value.length > 64) return null;
  PART.lastIndex = 0;
  let total = 0;
  let at = 0;
  for (let m = PART.exec(value); m !== null; m = PART.exec(value)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = PART.lastIndex;
  }
  if (at !== value.length || total <= 0 || total > MAX_MS) return null;
  return total;
}

export function parseDuration(text: unknown, option: string): number {
  const ms = durationMs(text);
  if (ms === null) {
    throw new RegistryError('E_INVALID_ARGUMENT', `${option} must be a duration such as 12h, 7d or 2w (units m, h, d, w); got '${String(text).slice(0, 40)}'`, { path: option, found: text });
  }
  return ms;
}

/** "7d", "36h", "90m": the largest unit that divides it, for messages and `policy show`. */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    if (ms % UNIT_MS[unit]! === 0) return `${ms / UNIT_MS[unit]!}${unit}`;
  }
  return `${(ms / UNIT_MS['h']!).toFixed(2)}h`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** When something given as `--expires <date|dur>` expires, checked to lie after `now`. */
export function parseExpiry(text: unknown, now: Date, option = '--expires'): Date {
  const value = typeof text === 'string' ? text.trim() : '';
  let at: Date | null = null;
  const ms = durationMs(value);
  if (ms !== null) at = new Date(now.getTime() + ms);
  else if (DATE.test(value)) {
    const [, y, m, d] = DATE.exec(value)!;
    const t = Date.UTC(Number(y), Number(m) - 1, Number(d));
    const back = new Date(t);
    if (back.getUTCFullYear() === Number(y) && back.getUTCMonth() === Number(m) - 1 && back.getUTCDate() === Number(d)) at = back;
  } else if (TIME.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) at = new Date(t);
  }
  if (at === null) {
    throw new RegistryError('E_INVALID_ARGUMENT', `${option} must be a duration (30d, 12h, 2w), a date (2026-03-31) or an RFC 3339 time; got '${String(text).slice(0, 40)}'`, { path: option, found: text });
  }
  if (at.getTime() <= now.getTime()) {
    throw new RegistryError('E_INVALID_ARGUMENT', `${option} ${value} is not in the future (now is ${now.toISOString()}); an exemption must expire later`, { path: option, found: text });
  }
  if (at.getTime() - now.getTime() > MAX_MS) {
    throw new RegistryError('E_INVALID_ARGUMENT', `${option} ${value} is more than 100 years away; give an expiry you mean to revisit`, { path: option, found: text });
  }
  return at;
}
