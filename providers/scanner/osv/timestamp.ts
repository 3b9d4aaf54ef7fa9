/**
 * `modified` decides which of two copies of a record is newer, so it is compared exactly: RFC 3339
 * times are brought to UTC with a nine-digit fraction ("2025-09-29T21:12:31.102523000Z"), which
 * sorts as text in time order. osv.dev writes microseconds; Date would round them to milliseconds
 * and call two modifications within one millisecond equal.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** The sortable UTC key of an RFC 3339 time, or null when `text` is not one. */
export function timestampKey(text: unknown): string | null {
  if (typeof text !== 'string' || text.length > 64) return null;
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, sign, oh, om] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  if (day > 28 && new Date(Date.UTC(Number(y), month - 1, day)).getUTCDate() !== day) return null;
  // UTC already (osv.dev and GitHub write Z): the key is the text itself, fraction padded.
  if (sign === undefined) return `${y}-${mo}-${d}T${h}:${mi}:${s === '60' ? '59' : s}.${(frac ?? '').padEnd(9, '0')}Z`;
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Math.min(Number(s), 59));
  {
    if (Number(oh) > 23 || Number(om) > 59) return null;
    const offset = (Number(oh) * 60 + Number(om)) * 60_000;
    ms += sign === '+' ? -offset : offset;
  }
  const base = new Date(ms).toISOString().slice(0, 19);
  return `${base}.${(frac ?? '').padEnd(9, '0')}Z`;
}
