/** Smallest allocation, and the room kept around the range; small, since most windows see a narrow band of keys. */
const CHUNK = 64;
const EMPTY = new Float64Array(0);

/**
 * Counts per integer bucket key over a contiguous range of at most `maxBuckets` keys.
 *
 * @remarks Dense (one `Float64Array`, doubled as needed) because sketch keys are consecutive
 * integers and a window touches a narrow band of them. When a key would stretch the range past
 * `maxBuckets`, the lowest buckets are folded into the lowest one kept: memory stays bounded and
 * only the smallest values lose accuracy (the high quantiles that latency work cares about keep it).
 */
export class BucketStore {
  #counts: Float64Array = EMPTY;
  /** Key of `#counts[0]`. */
  #base = 0;
  /** Lowest and highest key holding a count; meaningless while `total` is 0. */
  #lo = 0;
  #hi = 0;
  #total = 0;

  constructor(readonly maxBuckets: number) {}

  /** Number of values counted. */
  get total(): number {
    return this.#total;
  }

  /** Buckets allocated (8 bytes each): at most `maxBuckets` + 64. */
  get allocated(): number {
    return this.#counts.length;
  }

  /** Counts `weight` values in bucket `key` (folded into the lowest kept bucket past the cap). */
  add(key: number, weight = 1): void {
    if (this.#total === 0) {
      this.#reserve(key, key);
      this.#lo = this.#hi = key;
    } else if (key > this.#hi) {
      const floor = key - this.maxBuckets + 1;
      if (floor > this.#lo) this.#foldBelow(floor, key);
      else this.#reserve(this.#lo, key);
      this.#hi = key;
    } else if (key < this.#lo) {
      key = Math.max(key, this.#hi - this.maxBuckets + 1);
      this.#reserve(key, this.#hi);
      this.#lo = key;
    }
    this.#counts[key - this.#base] += weight;
    this.#total += weight;
  }

  /** Adds every count of `other` (same key mapping) to this store. */
  merge(other: BucketStore): void {
    if (other.#total === 0) return;
    const counts = other.#counts;
    // Highest first: the cap then folds exactly the buckets it would fold in a single store.
    for (let key = other.#hi; key >= other.#lo; key--) {
      const c = counts[key - other.#base]!;
      if (c > 0) this.add(key, c);
    }
  }

  /** The key of the value of 0-based `rank` (< `total`) in ascending key order. */
  keyAtRank(rank: number): number {
    const counts = this.#counts;
    const base = this.#base;
    const last = this.#hi - base;
    let seen = 0;
    for (let i = this.#lo - base; i <= last; i++) {
      seen += counts[i]!;
      if (seen > rank) return i + base;
    }
    return this.#hi;
  }

  /** Forgets every count, keeping the allocated buckets for reuse. */
  clear(): void {
    if (this.#total > 0) this.#counts.fill(0, this.#lo - this.#base, this.#hi - this.#base + 1);
    this.#total = 0;
  }

  /** Moves every count below `floor` into bucket `floor`, so that `[floor, hi]` fits the cap. */
  #foldBelow(floor: number, hi: number): void {
    let folded = 0;
    const top = Math.min(this.#hi, floor - 1);
    for (let key = this.#lo; key <= top; key++) {
      const i = key - this.#base;
      folded += this.#counts[i]!;
      this.#counts[i] = 0;
    }
    this.#reserve(floor, hi);
    this.#counts[floor - this.#base] += folded;
    this.#lo = floor;
  }

  /** Makes `#counts` cover keys `lo..hi`, keeping the counts of the current range. */
  #reserve(lo: number, hi: number): void {
    const base = this.#base;
    const length = this.#counts.length;
    if (lo >= base && hi < base + length) return;
    const span = hi - lo + 1;
    if (this.#total === 0 && span <= length) {
      this.#base = lo - ((length - span) >> 1); // all zeros: re-centre instead of reallocating
      return;
    }
    // Doubling keeps reallocations per sketch logarithmic; centring leaves room on both sides.
    const size = Math.min(Math.max(CHUNK, 2 * length, span + CHUNK), this.maxBuckets + CHUNK);
    const newBase = lo - ((size - span) >> 1);
    const next = new Float64Array(size);
    if (this.#total > 0) {
      const from = Math.max(this.#lo, newBase);
      const to = Math.min(this.#hi, newBase + size - 1);
      if (from <= to) next.set(this.#counts.subarray(from - base, to - base + 1), from - newBase);
    }
    this.#counts = next;
    this.#base = newBase;
  }
}
