import { majorOf } from '../../internal.js';

const PARTS = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?/;

/** Orders two semantic versions (build metadata ignored); anything unparsable sorts first. */
export function compareVersions(a: string, b: string): number {
  const x = PARTS.exec(a);
  const y = PARTS.exec(b);
  if (x === null || y === null) return (x === null ? 0 : 1) - (y === null ? 0 : 1);
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  // A pre-release sorts before its release; two pre-releases by text (enough to pick the latest).
  if (x[4] === y[4]) return 0;
  if (x[4] === undefined) return 1;
  if (y[4] === undefined) return -1;
  return x[4] < y[4] ? -1 : 1;
}

export { majorOf };
