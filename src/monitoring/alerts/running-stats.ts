/**
 * Exponentially weighted mean and variance of a stream of numbers, for anomaly detection.
 *
 * @remarks An EWMA adapts to slow drift (a service that gets gradually slower) while a sudden
 * outlier still stands many standard deviations off; memory is constant.
 */
export class RunningStats {
  #mean = 0;
  #variance = 0;
  #samples = 0;

  constructor(readonly alpha: number) {}

  get samples(): number {
    return this.#samples;
  }

  get mean(): number {
    return this.#mean;
  }

  get stdDev(): number {
    return Math.sqrt(this.#variance);
  }

  /** How many standard deviations `x` lies from the mean (0 while there is no spread yet). */
  zScore(x: number): number {
    const sd = this.stdDev;
    return sd === 0 ? (x === this.#mean ? 0 : Infinity) : (x - this.#mean) / sd;
  }

  /** Folds `x` in. The first samples use a plain average so the start is not biased to 0. */
  add(x: number): void {
    this.#samples++;
    const a = Math.max(this.alpha, 1 / this.#samples);
    const delta = x - this.#mean;
    this.#mean += a * delta;
    this.#variance = (1 - a) * (this.#variance + a * delta * delta);
  }
}
