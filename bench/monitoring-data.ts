/** Synthetic columns for bench/monitoring.ts: seeded normals (some shifted) and skewed categories. */

/** mulberry32: a small seeded PRNG, so every run benchmarks the same numbers. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `rows` normal values (Box–Muller) with mean `shift`, rounded to 4 decimals as a logged feature would be. */
export function normals(rand: () => number, rows: number, shift: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const t = 2 * Math.PI * rand();
    out[i] = Math.round((r * Math.cos(t) + shift) * 1e4) / 1e4;
    if (i + 1 < rows) out[i + 1] = Math.round((r * Math.sin(t) + shift) * 1e4) / 1e4;
  }
  return out;
}

/** Category codes 0..k-1 with Zipf-like weights; `tilt` > 0 moves mass towards the rarer categories. */
export function categoryCodes(rand: () => number, rows: number, k: number, tilt: number): Int32Array {
  const weights = Array.from({ length: k }, (_, i) => 1 / (i + 1) + tilt * (i / k));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) {
    acc += w / total;
    cdf.push(acc);
  }
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const u = rand();
    let c = 0;
    while (c < k - 1 && u > cdf[c]!) c++;
    out[i] = c;
  }
  return out;
}
