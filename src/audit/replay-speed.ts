import { InvalidOptionError } from '../internal.js';

/** How fast a replay goes: all at once, at the recorded pace, or that pace times a factor. */
export type ReplaySpeed = 'instant' | 'original' | { readonly factor: number };

/**
 * `instant`, `original` or `<N>x` (`10x`, `0.5x`) as a {@link ReplaySpeed}.
 * @throws {@link InvalidOptionError} for anything else.
 */
export function parseReplaySpeed(text: string): ReplaySpeed {
  if (text === 'instant' || text === 'original') return text;
  const m = /^(\d+(?:\.\d+)?)x$/.exec(text);
  const factor = m === null ? NaN : Number(m[1]);
  if (!(factor > 0) || !Number.isFinite(factor)) throw new InvalidOptionError('speed', `${JSON.stringify(text).slice(0, 40)} is not instant, original or a factor such as 10x`);
  return { factor };
}

/** The factor time is divided by: `Infinity` for instant. */
export function factorOf(speed: ReplaySpeed): number {
  return speed === 'instant' ? Infinity : speed === 'original' ? 1 : speed.factor;
}
