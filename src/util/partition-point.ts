/**
 * Binary search, once for every sorted list in the code base (search posting lists and word
 * lists, the semver provider's sorted versions).
 */

/**
 * The first index in [0, length) at which `isAfter` holds, or `length` when it holds nowhere.
 * `isAfter` must be monotone over the range: false up to some index, true from there on.
 */
export function partitionPoint(length: number, isAfter: (index: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAfter(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first index of an ascending list whose value is not below `value` (where it would be inserted). */
export function lowerBound<T extends number | string>(list: readonly T[], value: T): number {
  return partitionPoint(list.length, (i) => !(list[i]! < value));
}

/** True when an ascending list holds `value`. */
export function sortedIncludes<T extends number | string>(list: readonly T[], value: T): boolean {
  return list[lowerBound(list, value)] === value;
}
