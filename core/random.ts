/**
 * Seedable pseudo-random numbers, so that every run of unmix can be repeated.
 *
 * The generator is xoshiro128** (Blackman & Vigna 2018), seeded through splitmix32:
 * fast, 32-bit state words that stay in V8's small-integer arithmetic, and good
 * statistical quality for Monte-Carlo starts and synthetic signals.
 */
export interface Random {
  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number;
  /** Standard normal N(0, 1) (Marsaglia's polar method; the spare value is cached). */
  normal(): number;
  /** Uniform integer in [0, n). */
  integer(n: number): number;
}

/**
 * Create a seeded generator. The same seed always gives the same sequence on every
 * platform.
 *
 * @param seed - any finite number; non-integers are truncated. Default 0.
 */
export function createRandom(seed = 0): Random {
  let x = (Math.trunc(seed) | 0) >>> 0;
  const next32 = (): number => {
    // splitmix32 expands one seed word into four well-mixed state words.
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = next32();
  let s1 = next32();
  let s2 = next32();
  let s3 = next32();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };

  let spare = 0;
  let hasSpare = false;
  const uniform = (): number => nextUint32() / 4294967296;
  return {
    uniform,
    normal(): number {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * uniform() - 1;
        v = 2 * uniform() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const m = Math.sqrt((-2 * Math.log(s)) / s);
      spare = v * m;
      hasSpare = true;
      return u * m;
    },
    integer(n: number): number {
      return Math.floor(uniform() * n);
    },
  };
}

function rotl(v: number, k: number): number {
  return (v << k) | (v >>> (32 - k));
}
