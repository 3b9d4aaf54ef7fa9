/**
 * Decoding an entry's raw name, and the checks on its name-related fields: the UTF-8 flag,
 * names that are not UTF-8, and the Info-ZIP Unicode Path extra field (0x7075).
 */
import type { PackageErrorCode } from '../errors.js';
import { crc32 } from './crc32.js';
import { EXTRA_UNICODE_PATH, type ExtraFieldRecord } from './zip-records.js';

const FLAG_UTF8 = 0x800;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface DecodedName {
  /** The name as pakt reads it, or null when it cannot be decoded. */
  name: string | null;
  problems: Array<{ code: PackageErrorCode; message: string }>;
}

function visibleBytes(raw: Buffer): string {
  return raw.length > 80 ? `${raw.subarray(0, 80).toString('hex')}…` : raw.toString('hex');
}

/**
 * Names are UTF-8. Without the UTF-8 flag a name must still decode as UTF-8 (ASCII does);
 * pakt does not guess at CP437, because two tools guessing differently extract different files.
 * Raw control bytes are refused whatever the flag says.
 */
export function decodeEntryName(raw: Buffer, flags: number, extraFields: readonly ExtraFieldRecord[]): DecodedName {
  const problems: DecodedName['problems'] = [];
  let name: string | null;
  try {
    name = strictUtf8.decode(raw);
  } catch {
    name = null;
    const flagged = (flags & FLAG_UTF8) !== 0;
    problems.push({
      code: 'E_PKG_PATH_NOT_UTF8',
      message: `an entry name (bytes ${visibleBytes(raw)}) is not valid UTF-8${flagged ? ' although its UTF-8 flag is set' : ' (and pakt does not guess legacy code pages)'}`,
    });
  }
  const unicodePath = extraFields.find((f) => f.id === EXTRA_UNICODE_PATH);
  if (unicodePath) {
    const data = unicodePath.data;
    const label = name ?? visibleBytes(raw);
    if (data.length < 5 || data[0] !== 1) {
      problems.push({ code: 'E_PKG_UNICODE_PATH_MISMATCH', message: `entry '${label}': its Unicode Path extra field is malformed (version ${data[0] ?? 'missing'}, ${data.length} bytes)` });
    } else {
      const nameCrc = data.readUInt32LE(1);
      const unicodeName = data.subarray(5);
      if (nameCrc !== crc32(raw)) {
        problems.push({ code: 'E_PKG_UNICODE_PATH_MISMATCH', message: `entry '${label}': its Unicode Path extra field was written for another name (CRC of the raw name differs)` });
      } else if (!unicodeName.equals(raw)) {
        let shown: string;
        try {
          shown = strictUtf8.decode(unicodeName);
        } catch {
          shown = visibleBytes(unicodeName);
        }
        problems.push({ code: 'E_PKG_UNICODE_PATH_MISMATCH', message: `entry '${label}': its Unicode Path extra field names a different path ('${shown}'); extractors would disagree on the file name` });
      }
    }
  }
  return { name, problems };
}
