/**
 * A small, fast, seedable PRNG so bootstraps and simulations replay exactly for a given seed
 * (Math.random cannot be seeded). xoshiro128** (Blackman & Vigna 2018) with its state filled by
 * splitmix32, so nearby seeds (1, 2, 3…) still give unrelated streams.
 */

/** A seeded random source. */
export interface Rng {
  /** Uniform on [0, 1) with 32 random bits. */
  next(): number;
  /** Uniform integer on [0, n); n ≤ 2³². */
  int(n: number): number;
  /** Standard normal draw. */
  normal(): number;
  /** 0/1 with P(1) = p. */
  bernoulli(p: number): 0 | 1;
}

const TWO_POW_32 = 4294967296;

/** A deterministic PRNG for `seed` (any finite number; fractional bits are ignored). */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  // splitmix32: decorrelates the four state words, and never leaves xoshiro's state all-zero.
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };

  let spareNormal: number | null = null;
  const next = (): number => nextUint32() / TWO_POW_32;
  return {
    next,
    // Multiply-and-floor: bias ≤ n / 2³², negligible for case counts, and no rejection loop in hot paths.
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (spareNormal !== null) {
        const value = spareNormal;
        spareNormal = null;
        return value;
      }
      // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
      const r = Math.sqrt(-2 * Math.log(1 - next()));
      const theta = 2 * Math.PI * next();
      spareNormal = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
    bernoulli: (p) => (next() < p ? 1 : 0),
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
