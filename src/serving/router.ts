import type { TrafficPolicy } from "./types.js";

/** FNV-1a 32-bit hash of `text`: stable across processes and machines, so sticky routing agrees everywhere. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The variant that answers a request: by the policy's weights, at a random point or, given a routing key, at
 * the key's hashed point (the same key always lands on the same variant while the weights stay the same).
 */
export function pickVariant(policy: TrafficPolicy, key?: string): string {
  const variants = policy.variants;
  if (variants.length === 1) return variants[0]!.name;
  const point = key === undefined ? Math.random() * 100 : (stableHash(key) / 2 ** 32) * 100;
  let acc = 0;
  for (const v of variants) {
    acc += v.weight;
    if (point < acc) return v.name;
  }
  return variants.findLast((v) => v.weight > 0)!.name;
}

/** Whether this request is mirrored to the shadow version (sampled at the policy's rate). */
export function mirrors(policy: TrafficPolicy): boolean {
  return policy.shadow !== null && policy.shadow.sampleRate > 0 && Math.random() < policy.shadow.sampleRate;
}
