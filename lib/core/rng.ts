/**
 * Seeded pseudo-random numbers. One generator type, always passed explicitly (MATH §1: "every
 * generator takes an explicit seeded RNG; the same seed must give the same MDP on every machine").
 *
 * The generator is **xoshiro128\*\*** (Blackman & Vigna) on four 32-bit words; its state is hashed
 * from the seed (or fork key) by four independent murmur3-finaliser lanes (128 bits of state).
 * All arithmetic is 32-bit integer (`Math.imul`, `>>>`), so the stream is identical on every
 * JavaScript engine. Doubles carry 53 random bits (two 32-bit draws).
 *
 * @module
 */

import {
  assertFiniteArray,
  assertInt,
  assertNumber,
  assertProbVector,
  showValue,
} from "./validate.ts";

/** FNV-1a 32-bit hash of a string (used to turn fork labels into integers). */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Odd lane constants: each state word is hashed from the key with its own start value. */
const LANES = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a];

/** murmur3's 32-bit finaliser (a bijection on 32-bit words). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hash a list of 32-bit key words into the four words of xoshiro state. Each word is an
 * independent 32-bit hash lane over the whole key (and its length), so two different keys share a
 * state only with probability ≈ 2⁻¹²⁸ — not 2⁻³² as a single 32-bit seeding chain would give.
 */
function seedWords(words: number[]): Uint32Array {
  const s = new Uint32Array(4);
  for (let lane = 0; lane < 4; lane++) {
    let h = LANES[lane];
    for (const w of words) {
      h = fmix32((h ^ (w >>> 0)) + Math.imul(lane + 1, 0x9e3779b9));
      h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
    }
    s[lane] = fmix32(h ^ words.length);
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return s;
}

/** Split a non-negative integer seed (up to 2^53) into two 32-bit words. */
function seedToWords(seed: number): number[] {
  assertInt("seed", seed, 0, Number.MAX_SAFE_INTEGER);
  return [seed >>> 0, Math.floor(seed / 4294967296) >>> 0];
}

/**
 * A seeded xoshiro128** generator with uniform, normal, gamma, Dirichlet and categorical draws,
 * and two ways to derive independent streams: {@linkcode Rng.fork} (by label, independent of how
 * many numbers were drawn) and {@linkcode Rng.split} (consumes draws).
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const u = rng.uniform();           // in [0, 1)
 * const test = rng.fork("test-mdps"); // independent stream, same for every run
 * ```
 */
export class Rng {
  /** The words the generator was created from (its identity for {@linkcode Rng.fork}). */
  readonly key: readonly number[];
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = NaN;

  /** Create a generator from a non-negative integer seed (or, internally, from key words). */
  constructor(seed: number | readonly number[]) {
    const words = typeof seed === "number" ? seedToWords(seed) : [...seed];
    this.key = Object.freeze(words.map((w) => w >>> 0));
    const s = seedWords(words);
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
    this.s2 = s[2] | 0;
    this.s3 = s[3] | 0;
  }

  /**
   * A generator whose xoshiro128** state is exactly `state` (four 32-bit words, not all zero),
   * bypassing SplitMix seeding — for checking the core against published reference outputs.
   *
   * @example
   * ```ts
   * Rng.fromRawState([1, 2, 3, 4]).nextUint32(); // 11520
   * ```
   */
  static fromRawState(state: readonly number[]): Rng {
    if (state.length !== 4 || state.every((x) => (x >>> 0) === 0)) {
      throw new RangeError(`state must be 4 words, not all zero, got [${state.join(", ")}]`);
    }
    const r = new Rng(0);
    r.s0 = state[0] | 0;
    r.s1 = state[1] | 0;
    r.s2 = state[2] | 0;
    r.s3 = state[3] | 0;
    return r;
  }

  /**
   * The current xoshiro128** state as four unsigned 32-bit words. The state fixes every later
   * draw, so two generators with equal state words produce the same stream from here on
   * ({@linkcode Rng.fromRawState} of these words continues it) — the exact test for "same stream".
   *
   * @example
   * ```ts
   * const r = new Rng(3);
   * Rng.fromRawState(r.stateWords()).nextUint32() === r.nextUint32(); // true
   * ```
   */
  stateWords(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /**
   * Next raw 32-bit unsigned integer.
   *
   * @example
   * ```ts
   * new Rng(1).nextUint32(); // same value on every machine
   * ```
   */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /**
   * Uniform double in [0, 1) with 53 random bits.
   *
   * @example
   * ```ts
   * const u = new Rng(1).uniform();
   * ```
   */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Uniform double in [lo, hi).
   *
   * @example
   * ```ts
   * const x = new Rng(1).uniformIn(-1, 1);
   * ```
   */
  uniformIn(lo: number, hi: number): number {
    assertNumber("lo", lo);
    assertNumber("hi", hi, lo);
    return lo + (hi - lo) * this.uniform();
  }

  /**
   * Fill `out` with i.i.d. Unif[lo, hi) draws (in index order) and return it.
   *
   * @example
   * ```ts
   * const w = new Rng(3).fillUniform(new Float64Array(36), -1, 1);
   * ```
   */
  fillUniform(out: Float64Array, lo = 0, hi = 1): Float64Array {
    assertNumber("lo", lo);
    assertNumber("hi", hi, lo);
    if (!(out instanceof Float64Array)) {
      throw new TypeError(`out must be a Float64Array, got ${showValue(out)}`);
    }
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /**
   * Uniform integer in {0, …, n−1} (rejection sampling, unbiased).
   *
   * @example
   * ```ts
   * const k = new Rng(1).int(10);
   * ```
   */
  int(n: number): number {
    assertInt("n", n, 1, 4294967296);
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /**
   * Standard normal draw (Box–Muller, polar-free form; the second variate is cached).
   *
   * @example
   * ```ts
   * const z = new Rng(1).normal();
   * ```
   */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = NaN;
      return z;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Gamma(shape, 1) draw (Marsaglia–Tsang; shape < 1 by the `U^{1/shape}` boost).
   *
   * @example
   * ```ts
   * const g = new Rng(1).gamma(2.5);
   * ```
   */
  gamma(shape: number): number {
    assertNumber("shape", shape, Number.MIN_VALUE);
    if (shape < 1) {
      let u = this.uniform();
      while (u === 0) u = this.uniform();
      return this.gamma(shape + 1) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /**
   * Dirichlet(alpha) draw written into `out[offset … offset+k−1]` (normalised Gamma draws).
   * `alpha` is a concentration vector or a scalar repeated `k` times.
   *
   * @example
   * ```ts
   * const p = new Rng(1).dirichlet(1, 9); // uniform on the 9-simplex
   * ```
   */
  dirichlet(
    alpha: number | ArrayLike<number>,
    k = typeof alpha === "number" ? 0 : alpha.length,
    out: Float64Array = new Float64Array(k),
    offset = 0,
  ): Float64Array {
    assertInt("k", k, 1);
    if (typeof alpha !== "number") assertFiniteArray("alpha", alpha, k);
    let sum = 0;
    for (let i = 0; i < k; i++) {
      const a = typeof alpha === "number" ? alpha : alpha[i];
      assertNumber(`alpha[${i}]`, a, Number.MIN_VALUE);
      const g = this.gamma(a);
      out[offset + i] = g;
      sum += g;
    }
    for (let i = 0; i < k; i++) out[offset + i] /= sum;
    return out;
  }

  /**
   * Categorical draw from `probs[offset … offset+k−1]` by inverse CDF. Validates the vector
   * (non-negative, sums to 1 within 1e-9) unless `trusted` is true (hot loops on tables that
   * were validated once).
   *
   * @example
   * ```ts
   * const a = new Rng(1).categorical([0.1, 0.2, 0.7]);
   * ```
   */
  categorical(
    probs: ArrayLike<number>,
    offset = 0,
    k = probs.length - offset,
    trusted = false,
  ): number {
    if (!trusted) assertProbVector("probs", probs, offset, k);
    const u = this.uniform();
    let acc = 0;
    for (let i = 0; i < k - 1; i++) {
      acc += probs[offset + i];
      if (u < acc) return i;
    }
    // Last index takes the remaining mass (guards against round-off in the cumulative sum),
    // but skip trailing zero-probability entries.
    let last = k - 1;
    while (last > 0 && probs[offset + last] === 0) last--;
    return last;
  }

  /**
   * An independent generator derived from this generator's seed and a label. Does not consume
   * draws: `rng.fork("eval")` is the same stream however much `rng` has been used.
   *
   * @example
   * ```ts
   * const root = new Rng(7);
   * const train = root.fork("train"), evalRng = root.fork("eval");
   * ```
   */
  fork(label: string | number): Rng {
    const tag = typeof label === "number" ? seedToWords(label) : [hashString(label), label.length];
    return new Rng([...this.key, 0x5eed5eed, ...tag]);
  }

  /**
   * A new independent generator seeded from this generator's next draws (consumes 4 draws).
   *
   * @example
   * ```ts
   * const child = new Rng(7).split();
   * ```
   */
  split(): Rng {
    return new Rng([
      this.nextUint32(),
      this.nextUint32(),
      this.nextUint32(),
      this.nextUint32(),
    ]);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
