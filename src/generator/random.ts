/**
 * Seeded pseudo-random numbers. Every value the generator draws comes from a stream keyed by the seed
 * and by *what* is being drawn (a team index, a series index…), never from one shared sequence: the
 * team at position i is then the same whatever else the feed contains, which is what lets two
 * generations with the same seed differ only where an option asks them to.
 */

export type Seed = number | string;

/** 32-bit FNV-1a over the parts, joined by a separator no part contains. */
export function hash32(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (let p = 0; p < parts.length; p++) {
    const s = p === 0 ? String(parts[p]) : '\u0001' + String(parts[p]);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  // Final avalanche (murmur3 fmix32) so nearby inputs do not give nearby outputs.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: tiny, fast, good enough for test data (not for anything secret). */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

/** A stream of its own for one purpose, e.g. `randomFor(seed, 'team', 17)`. */
export function randomFor(seed: Seed, ...key: Array<string | number>): Random {
  return createRandom(hash32(String(seed), ...key));
}

/** Uniform in [0, 1) from a key alone, for one-off decisions. */
export function unitFor(seed: Seed, ...key: Array<string | number>): number {
  return hash32(String(seed), ...key) / 4294967296;
}
