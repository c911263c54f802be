/**
 * Seeded randomness for the simulator. Draws that must not depend on timing (whether driver d
 * accepts request r, and after how long) are pure functions of the seed and the names involved,
 * so two runs with one seed make the same decisions whatever order the events arrive in.
 */

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a list of integers and strings. */
export function hash(...parts: (number | string)[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i += 1) h = fmix32(h ^ text.charCodeAt(i)) + i;
    h = fmix32(h ^ 0x2545f491);
  }
  return h >>> 0;
}

/** A number in [0, 1) determined by the parts alone. */
export const unitOf = (...parts: (number | string)[]): number => hash(...parts) / 2 ** 32;

/** mulberry32: a small, fast generator; good enough for positions and arrival times. */
export class Random {
  private state: number;

  constructor(...seed: (number | string)[]) {
    this.state = hash(...seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  between(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Exponentially distributed with this mean: the gaps between Poisson arrivals. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }
}
