/**
 * Paths that can be written safely on Windows, macOS and Linux alike (SPEC §1, "extract safely
 * on Windows, macOS and Linux"): no segment holds `< > : " | ? *`, ends in a dot or a space, or
 * is a reserved device name (`CON`, `PRN`, `AUX`, `NUL`, `COM1`-`COM9`, `LPT1`-`LPT9`, in any
 * case, with or without an extension: Windows opens the device for `con.txt` too).
 *
 * Install checks every archive path and every package folder name with this before it writes
 * anything, whatever validation said when the package was published. Total: never throws.
 */

export type PortableRule = 'reserved-character' | 'trailing-dot-or-space' | 'reserved-device-name';

export interface PortableProblem {
  rule: PortableRule;
  /** The offending segment. */
  segment: string;
  message: string;
}

const RESERVED_CHARACTERS = /[<>:"|?*]/;
/** The stem (up to the first dot) of a device name, compared case-insensitively. */
const DEVICE_NAME = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/** Every portability rule one `/`-separated path breaks, one problem per segment and rule. */
export function portablePathProblems(path: string): PortableProblem[] {
  const problems: PortableProblem[] = [];
  for (const segment of path.split('/')) {
    if (segment === '') continue; // empty segments are the path grammar's to refuse
    const shown = JSON.stringify(segment);
    const char = RESERVED_CHARACTERS.exec(segment);
    if (char) problems.push({ rule: 'reserved-character', segment, message: `segment ${shown} contains '${char[0]}', which Windows does not allow in file names` });
    if (segment.endsWith('.') || segment.endsWith(' ')) {
      problems.push({ rule: 'trailing-dot-or-space', segment, message: `segment ${shown} ends in ${segment.endsWith('.') ? 'a dot' : 'a space'}, which Windows silently drops (two names would become one)` });
    }
    const stem = segment.split('.')[0]!.trimEnd();
    if (DEVICE_NAME.test(stem)) problems.push({ rule: 'reserved-device-name', segment, message: `segment ${shown} is the Windows device name ${stem.toUpperCase()}, which cannot be a file or folder name there` });
  }
  return problems;
}

/** True when `path` breaks none of the rules. */
export function isPortablePath(path: string): boolean {
  return portablePathProblems(path).length === 0;
}
