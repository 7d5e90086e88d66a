/** A seeded 32-bit PRNG (mulberry32): the same seed gives the same sequence of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates) drawn from `random`. */
export function permutation(n: number, random: () => number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Copies the rows `order[start..end)` of a row-major matrix with `width` columns into a new array. */
export function gatherRows(
  matrix: Float32Array,
  width: number,
  order: Uint32Array,
  start: number,
  end: number,
): Float32Array {
  const out = new Float32Array((end - start) * width);
  for (let i = start; i < end; i++) {
    const from = order[i]! * width;
    out.set(matrix.subarray(from, from + width), (i - start) * width);
  }
  return out;
}
