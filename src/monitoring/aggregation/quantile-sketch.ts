import { BucketStore } from './bucket-store.js';

/** Magnitudes below this count as 0: their logarithm would leave the range of useful keys. */
const MIN_MAGNITUDE = 1e-300;

/**
 * A quantile sketch with a relative-error guarantee, in bounded memory (the DDSketch idea:
 * logarithmic buckets).
 *
 * @remarks Guarantee: for `q` in [0, 1] and the values sorted ascending as `x[0] … x[n-1]`,
 * `quantile(q)` is within `relativeAccuracy × |x[j]|` of `x[j]`, where `j = ⌊q·(n−1)⌋` (up to
 * floating-point rounding). It holds as long as the non-zero magnitudes of each sign span at most
 * a factor of γ^(maxBuckets−1), γ = (1+α)/(1−α): with the defaults (α = 0.01, 2,048 buckets) about
 * 17 orders of magnitude, e.g. 1 ns to 10⁸ s in milliseconds. Beyond that the smallest magnitudes
 * are folded together and only they lose accuracy. Magnitudes below 1e-300 count as 0.
 * A bucket `k` holds the values in (γ^(k−1), γ^k] and answers with 2γ^k/(γ+1), which is within α of
 * each of them; answers are also clamped to the exact `min` and `max`.
 *
 * Memory: two stores of at most `maxBuckets` + 64 counts (8 bytes each); a typical window of
 * latencies spanning three orders of magnitude uses about 350 buckets. `add` is O(1) (one
 * logarithm), `merge` and `quantiles` are O(buckets). Sketches merge exactly: merging is the same as
 * adding every value to one sketch.
 */
export class QuantileSketch {
  /** Relative error bound α of every quantile. */
  readonly relativeAccuracy: number;
  readonly maxBuckets: number;
  readonly #lnGamma: number;
  /** log of the factor from a bucket's upper bound γ^k to its answer 2γ^k/(γ+1). */
  readonly #lnAnswer: number;
  readonly #positive: BucketStore;
  readonly #negative: BucketStore;
  #zeros = 0;
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;

  /**
   * @param relativeAccuracy - α, in (0, 1). @default 0.01
   * @param maxBuckets - buckets per sign, at least 16. @default 2048
   */
  constructor(relativeAccuracy = 0.01, maxBuckets = 2048) {
    this.relativeAccuracy = relativeAccuracy;
    this.maxBuckets = maxBuckets;
    const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.#lnGamma = Math.log(gamma);
    this.#lnAnswer = Math.log(2 / (gamma + 1));
    this.#positive = new BucketStore(maxBuckets);
    this.#negative = new BucketStore(maxBuckets);
  }

  /** Number of values added. */
  get count(): number {
    return this.#count;
  }

  /** Exact sum of the values. */
  get sum(): number {
    return this.#sum;
  }

  /** Exact smallest value; `Infinity` when empty. */
  get min(): number {
    return this.#min;
  }

  /** Exact largest value; `-Infinity` when empty. */
  get max(): number {
    return this.#max;
  }

  /** Buckets allocated by both signs (8 bytes each): at most 2 × (`maxBuckets` + 64). */
  get allocatedBuckets(): number {
    return this.#positive.allocated + this.#negative.allocated;
  }

  /** Adds a finite value (the caller filters `NaN` and infinities: they have no bucket). */
  add(value: number): void {
    if (value > MIN_MAGNITUDE) this.#positive.add(this.#key(value));
    else if (value < -MIN_MAGNITUDE) this.#negative.add(this.#key(-value));
    else this.#zeros++;
    this.#count++;
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /** Adds every value of `other`, which must have the same `relativeAccuracy` and `maxBuckets`. */
  merge(other: QuantileSketch): void {
    if (other.#count === 0) return;
    this.#positive.merge(other.#positive);
    this.#negative.merge(other.#negative);
    this.#zeros += other.#zeros;
    this.#count += other.#count;
    this.#sum += other.#sum;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
  }

  /** The estimated `q`-quantile (`q` in [0, 1]; see the class remarks); `NaN` when empty. */
  quantile(q: number): number {
    return this.quantiles([q])[0]!;
  }

  /** {@link quantile} of each of `qs`. */
  quantiles(qs: readonly number[]): number[] {
    const out = new Array<number>(qs.length).fill(NaN);
    if (this.#count === 0) return out;
    const negatives = this.#negative.total;
    const firstPositive = negatives + this.#zeros;
    for (let i = 0; i < qs.length; i++) {
      const q = qs[i]!;
      if (!(q >= 0 && q <= 1)) continue;
      const rank = Math.floor(q * (this.#count - 1));
      // Negatives are stored by magnitude: the most negative value has the highest rank there.
      if (rank < negatives) out[i] = this.#clamp(-this.#answer(this.#negative.keyAtRank(negatives - 1 - rank)));
      else if (rank < firstPositive) out[i] = 0;
      else out[i] = this.#clamp(this.#answer(this.#positive.keyAtRank(rank - firstPositive)));
    }
    return out;
  }

  /** Empties the sketch, keeping its buckets allocated for reuse. */
  clear(): void {
    this.#positive.clear();
    this.#negative.clear();
    this.#zeros = 0;
    this.#count = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
  }

  #key(magnitude: number): number {
    return Math.ceil(Math.log(magnitude) / this.#lnGamma);
  }

  #clamp(estimate: number): number {
    return Math.min(this.#max, Math.max(this.#min, estimate));
  }

  #answer(key: number): number {
    return Math.exp(key * this.#lnGamma + this.#lnAnswer);
  }
}
