/**
 * Sorting numeric columns once: an LSD radix sort on the high 32 bits of the order-preserving IEEE-754 key
 * (three passes of 11/11/10-bit digits, passes whose digit is constant skipped), after which only runs of
 * values sharing their high word can be out of order; those runs (usually ties or a handful of values) are
 * finished by insertion sort, long ones by the built-in typed-array sort. Several times faster than a
 * comparison sort on 10⁵ doubles and allocation-free per value. Non-finite values (NaN, ±Infinity) are
 * counted as missing and left out.
 */

const RADIX_MIN = 512;
/** Runs of equal high words longer than this are sorted with the built-in sort instead of insertion sort. */
const INSERTION_MAX = 32;

/** A numeric column ready for drift metrics: finite values in ascending order plus the missing count. */
export interface NumericColumn {
  readonly sorted: Float64Array;
  readonly missing: number;
}

/** Copies the finite values of `values` (nulls and non-finite count as missing) and sorts them ascending. */
export function numericColumn(values: ArrayLike<number | null | undefined>): NumericColumn {
  if (values instanceof Float64Array && values.length >= RADIX_MIN) return radixColumn(values, null);
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === "number" && Number.isFinite(v)) out[n++] = v;
  }
  const sorted = out.subarray(0, n);
  sortFloat64(sorted);
  return { sorted, missing: values.length - n };
}

/** The radix sort reading straight from a Float64Array: one pass filters and encodes. */
function radixColumn(values: Float64Array, target: Float64Array | null): NumericColumn {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const keys = keyBuffers(values.length);
  const [lo, hi] = keys;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const h = words[2 * i + 1]!;
    if ((h & 0x7ff00000) === 0x7ff00000) continue;
    const flip = h & 0x80000000 ? 0xffffffff : 0;
    lo[n] = words[2 * i]! ^ flip;
    hi[n++] = h ^ (flip | 0x80000000);
  }
  const out = target && target.length >= n ? target.subarray(0, n) : new Float64Array(n);
  sortKeys(keys, n, new Uint32Array(out.buffer, out.byteOffset, 2 * n));
  return { sorted: out, missing: values.length - n };
}

/**
 * `numericColumn` of a Float64Array written into `target` when it is long enough (the result views it, so it
 * is only valid until `target` is reused); for callers that measure a column and then drop it.
 */
export function numericColumnInto(values: Float64Array, target: Float64Array): NumericColumn {
  if (values.length >= RADIX_MIN) return radixColumn(values, target);
  return numericColumn(values);
}

/** Digits of the high key word, least significant first: [shift, bits]. */
const DIGITS: readonly (readonly [number, number])[] = [
  [0, 11],
  [11, 11],
  [22, 10],
];

type Keys = [Uint32Array, Uint32Array, Uint32Array, Uint32Array];

/** Reused key buffers (sorting is synchronous, so one set serves every call); grown on demand. */
let scratch = new Uint32Array(0);
const counts = new Uint32Array(DIGITS.length * 2048);

/** Four key arrays of length n viewing one reused buffer: lo, hi and their scatter targets. */
function keyBuffers(n: number): Keys {
  if (scratch.length < 4 * n) scratch = new Uint32Array(4 * n);
  return [
    scratch.subarray(0, n),
    scratch.subarray(n, 2 * n),
    scratch.subarray(2 * n, 3 * n),
    scratch.subarray(3 * n, 4 * n),
  ];
}

/** Sorts finite doubles ascending in place (-0 before +0). */
export function sortFloat64(a: Float64Array): void {
  if (a.length < RADIX_MIN) {
    a.sort();
    return;
  }
  const n = a.length;
  const words = new Uint32Array(a.buffer, a.byteOffset, n * 2);
  const keys = keyBuffers(n);
  const [lo, hi] = keys;
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + 1]!;
    const flip = h & 0x80000000 ? 0xffffffff : 0;
    lo[i] = words[2 * i]! ^ flip;
    hi[i] = h ^ (flip | 0x80000000);
  }
  sortKeys(keys, n, words);
}

/**
 * Sorts the first n encoded 64-bit keys (lo, hi words; the other two arrays are scatter targets) by their
 * high word, decodes them as doubles into `words`, then orders each run of equal high words.
 */
function sortKeys(keys: Keys, n: number, words: Uint32Array): void {
  let [lo, hi, lo2, hi2] = keys;
  histograms(hi, n);
  for (let pass = 0; pass < DIGITS.length; pass++) {
    const [shift, bits] = DIGITS[pass]!;
    const count = counts.subarray(pass * 2048, pass * 2048 + (1 << bits));
    if (constantDigit(count, n)) continue;
    let sum = 0;
    for (let d = 0; d < count.length; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    const mask = (1 << bits) - 1;
    for (let i = 0; i < n; i++) {
      const h = hi[i]!;
      const at = count[(h >>> shift) & mask]!++;
      lo2[at] = lo[i]!;
      hi2[at] = h;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    const negative = (h & 0x80000000) === 0;
    words[2 * i] = negative ? ~lo[i]! : lo[i]!;
    words[2 * i + 1] = negative ? ~h : h ^ 0x80000000;
  }
  const out = new Float64Array(words.buffer, words.byteOffset, n);
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && hi[i] === hi[start]) continue;
    if (i - start > 1) sortRun(out, start, i);
    start = i;
  }
}

function histograms(hi: Uint32Array, n: number): void {
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    counts[h & 0x7ff]!++;
    counts[2048 + ((h >>> 11) & 0x7ff)]!++;
    counts[4096 + (h >>> 22)]!++;
  }
}

function constantDigit(count: Uint32Array, n: number): boolean {
  for (let d = 0; d < count.length; d++) {
    const c = count[d]!;
    if (c !== 0) return c === n;
  }
  return true;
}

/** Sorts a[s..e) ascending; its values share sign and exponent, so -0/+0 never meet here. */
function sortRun(a: Float64Array, s: number, e: number): void {
  if (e - s > INSERTION_MAX) {
    a.subarray(s, e).sort();
    return;
  }
  for (let i = s + 1; i < e; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= s && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/** Index of the first element ≥ x (side='left'), or of the first element > x when `right` (side='right'). */
export function searchSorted(a: Float64Array, x: number, right = false): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (right ? a[mid]! <= x : a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** numpy.quantile's default (linear interpolation) on ascending values; NaN when empty. */
export function quantileSorted(a: Float64Array, q: number): number {
  if (a.length === 0) return Number.NaN;
  const pos = (a.length - 1) * q;
  const i = Math.floor(pos);
  const frac = pos - i;
  const lo = a[i]!;
  return frac === 0 || i + 1 >= a.length ? lo : lo + (a[i + 1]! - lo) * frac;
}
