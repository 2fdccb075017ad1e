/**
 * A small seeded PRNG for the benchmark data: sfc32 (128-bit state, fast, passes PractRand well
 * past the few hundred million draws a full-size run makes), seeded through splitmix32 from the
 * run's seed and a stream name, so that each table of each tenant draws from its own stream and a
 * change in one generator never shifts the values of another.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = '') {
    let s = (seed ^ hash32(stream)) >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split() | 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] (both included). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** FNV-1a of a string: turns a stream name into seed bits. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A fixed set of values with weights; `pick` costs one draw and a binary search. */
export class Weighted<T> {
  private readonly values: T[];
  private readonly cumulative: Float64Array;

  constructor(entries: readonly (readonly [T, number])[]) {
    if (entries.length === 0) throw new Error('Weighted: no entries');
    this.values = entries.map(([v]) => v);
    this.cumulative = new Float64Array(entries.length);
    let total = 0;
    entries.forEach(([, w], i) => {
      if (!(w >= 0)) throw new Error('Weighted: weights must be non-negative');
      total += w;
      this.cumulative[i] = total;
    });
    if (total <= 0) throw new Error('Weighted: total weight must be positive');
    for (let i = 0; i < this.cumulative.length; i++) this.cumulative[i] = this.cumulative[i]! / total;
  }

  pick(prng: Prng): T {
    const x = prng.float();
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] as T;
  }

  /** The share of each value (weights normalised to 1), in the given order. */
  shares(): { value: T; share: number }[] {
    return this.values.map((value, i) => ({
      value,
      share: this.cumulative[i]! - (i === 0 ? 0 : this.cumulative[i - 1]!),
    }));
  }
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const hex4 = (n: number): string => (n & 0xffff).toString(16).padStart(4, '0');

/**
 * A UUIDv7 (RFC 9562 §5.7) for a timestamp, with the 74 random bits drawn from `prng`:
 * 48-bit big-endian Unix milliseconds, version 7, 12 bits rand_a, variant 0b10, 62 bits rand_b.
 */
export function uuidv7(ms: number, prng: Prng): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new RangeError(`uuidv7: bad timestamp ${ms}`);
  const time = ms.toString(16).padStart(12, '0');
  const r1 = prng.next();
  const r2 = prng.next();
  const r3 = prng.next();
  const randA = 0x7000 | (r1 & 0x0fff);
  const variant = 0x8000 | ((r1 >>> 12) & 0x3fff);
  return `${time.slice(0, 8)}-${time.slice(8)}-${hex4(randA)}-${hex4(variant)}-${hex8(r2)}${hex4(r3)}`;
}
