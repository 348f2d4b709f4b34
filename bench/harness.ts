/**
 * The benchmark harness: calibrated timed runs, warm-up, alternating baseline/subject rounds,
 * medians, and the result record every case produces.
 *
 * @remarks A measurement is a function `(n) => seconds` that does `n` operations and returns how long
 * they took; the harness picks `n` so one run lasts about {@link BenchConfig.runMs}. Baseline and
 * subject rounds alternate (B S B S …) so that drift (thermal, GC, other tenants) hits both alike.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

/** Settings of one benchmark run. */
export interface BenchConfig {
  /** `--quick`: one short round per case, to prove the suite works. */
  readonly quick: boolean;
  /** Measured rounds per side. @default 5 (1 when quick) */
  readonly rounds: number;
  /** Target duration of one timed run, in ms. @default 250 (25 when quick) */
  readonly runMs: number;
}

/** Builds the config from the command line. */
export function configFrom(argv: readonly string[]): BenchConfig {
  const quick = argv.includes('--quick');
  return { quick, rounds: quick ? 1 : 5, runMs: quick ? 25 : 250 };
}

/** Does `n` operations and returns the elapsed seconds. */
export type Timed = (n: number) => number | Promise<number>;

/** What a target compares. */
export type TargetKind =
  /** ratio = subject / baseline (throughputs), pass when ratio ≥ target. */
  | 'min-ratio'
  /** ratio = subject / baseline (latencies), pass when ratio ≤ target. */
  | 'max-ratio'
  /** the figure itself must be ≤ target (ns added, MB). */
  | 'max-value'
  /** no target: reported only. */
  | 'none';

/** One row of `bench/results.json`. */
export interface CaseResult {
  readonly name: string;
  /** Unit of `value` and `baseline`, e.g. `ops/s`, `µs p99`, `MB`. */
  readonly unit: string;
  /** The subject's figure (dotbus). */
  readonly value: number;
  /** Throughput cases repeat `value` here, as the issue names it. */
  readonly opsPerSec?: number;
  /** The baseline's figure, measured in the same run; `null` for cases without a peer. */
  readonly baseline: number | null;
  readonly baselineName: string | null;
  /** subject / baseline, or the ns added per call for `coordinator.noop`. */
  readonly ratio: number | null;
  /** Human-readable target, e.g. `≥ 0.5`. */
  readonly target: string;
  readonly pass: boolean | null;
  /** Extra figures (p50, drops, deliveries per event …). */
  readonly details?: Readonly<Record<string, number | string | boolean>>;
}

/** Time `n` synchronous operations done by `body`. */
export function timeSync(n: number, body: (n: number) => void): number {
  const start = performance.now();
  body(n);
  return (performance.now() - start) / 1000;
}

/** The median of `values` (not sorted in place). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The `q` quantile (0–1) of already sorted values, nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Finds an `n` for which `timed(n)` lasts about `runMs`, warming `timed` up on the way. */
export async function calibrate(timed: Timed, runMs: number, start = 1_000): Promise<number> {
  let n = start;
  for (let i = 0; i < 30; i++) {
    const seconds = await timed(n);
    if (seconds * 1000 >= runMs / 4) return Math.max(1, Math.round((n * runMs) / (seconds * 1000)));
    n *= 4;
  }
  return n;
}

/** Medians of baseline and subject throughput (ops/s), measured in alternating rounds. */
export interface Comparison {
  readonly baseline: number;
  readonly subject: number;
}

/**
 * Calibrates both sides, warms them up, then runs `rounds` alternating rounds and returns the
 * median ops/s of each. `n` of each side is calibrated separately, so each run lasts about `runMs`.
 */
export async function compareThroughput(cfg: BenchConfig, baseline: Timed, subject: Timed, start = 1_000): Promise<Comparison> {
  const nb = await calibrate(baseline, cfg.runMs, start);
  const ns = await calibrate(subject, cfg.runMs, start);
  if (!cfg.quick) {
    await baseline(nb);
    await subject(ns);
  }
  const b: number[] = [];
  const s: number[] = [];
  for (let r = 0; r < cfg.rounds; r++) {
    b.push(nb / (await baseline(nb)));
    s.push(ns / (await subject(ns)));
  }
  return { baseline: median(b), subject: median(s) };
}

/** Ratio and pass of a `≥ k` throughput target. */
export function minRatio(
  name: string, unit: string, c: Comparison, baselineName: string, target: number,
  details?: Readonly<Record<string, number | string | boolean>>,
): CaseResult {
  const ratio = c.subject / c.baseline;
  return {
    name, unit, value: c.subject, opsPerSec: c.subject, baseline: c.baseline, baselineName, ratio,
    target: `≥ ${target}`, pass: ratio >= target, ...(details === undefined ? {} : { details }),
  };
}

/** A machine note for the results: CPU model, cores, Node version, platform. */
export function machine(): { cpu: string; cores: number; node: string; platform: string } {
  const list = cpus();
  return { cpu: list[0]?.model.trim() ?? 'unknown', cores: list.length, node: process.version, platform: `${process.platform}-${process.arch}` };
}

/** Runs `gc()` when Node was started with `--expose-gc`; a no-op otherwise. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) gc();
}

/** Waits one turn of the event loop (lets I/O, timers and GC finalizers run). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A short number: 3 significant digits with k/M suffixes for large values. */
export function formatNumber(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return v === null ? '—' : String(v);
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${(v / 1e6).toPrecision(3)} M`;
  if (abs >= 1e3) return `${(v / 1e3).toPrecision(3)} k`;
  return v.toPrecision(3);
}

/** The results as an aligned text table. */
export function formatTable(results: readonly CaseResult[]): string {
  const header = ['case', 'dotbus', 'baseline', 'unit', 'ratio', 'target', 'pass'];
  const rows = results.map((r) => [
    r.name,
    formatNumber(r.value),
    r.baseline === null ? '—' : `${formatNumber(r.baseline)} (${r.baselineName ?? ''})`,
    r.unit,
    r.ratio === null ? '—' : r.ratio.toFixed(r.name === 'coordinator.noop' ? 1 : 2),
    r.target,
    r.pass === null ? '—' : r.pass ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
