import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The README's API section lists exactly the runtime exports of every entry point: adding an
 * export without documenting it (or leaving a removed one in the README) fails here.
 * The README has one `### \`<entry>\`` heading per entry point, each followed by a table whose
 * first column names the exports in backticks.
 */
const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { exports: Record<string, { import?: string } | string> };
const readme = readFileSync(new URL('README.md', root), 'utf8');

/** `dotbus`, `dotbus/redis`, … → the built file, for every code entry of `package.json#exports`. */
const entries = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === 'object' && target.import !== undefined)
  .map(([key, target]) => [key === '.' ? 'dotbus' : `dotbus/${key.slice(2)}`, (target as { import: string }).import] as const);

/** The names in the first column of the tables under `### \`<entry>\``, up to the next heading. */
function documented(entry: string): string[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.trim() === `### \`${entry}\``);
  if (start < 0) return [];
  const names: string[] = [];
  let inExports = false; // only tables whose first column is headed `export` list exports
  for (const [i, line] of lines.slice(start + 1).entries()) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) {
      inExports = false;
      continue;
    }
    const first = (line.split('|')[1] ?? '').trim();
    const previous = lines[start + i] ?? '';
    if (!previous.startsWith('|')) inExports = first === 'export';
    if (!inExports || first === 'export' || /^-+$/.test(first)) continue;
    for (const m of first.matchAll(/`([A-Za-z_$][\w$]*)`/g)) names.push(m[1]!);
  }
  return names.sort();
}

describe('public API', () => {
  it('package.json exports the entry points and nothing internal', () => {
    expect(entries.map(([name]) => name).sort()).toEqual(['dotbus', 'dotbus/audit', 'dotbus/monitoring', 'dotbus/otel', 'dotbus/prometheus', 'dotbus/redis', 'dotbus/schema', 'dotbus/serve']);
    expect(Object.keys(pkg.exports).some((k) => k.includes('internal'))).toBe(false);
  });

  it.each(entries)('the README lists exactly the runtime exports of %s', async (entry, file) => {
    const module = (await import(new URL(file, root).href)) as Record<string, unknown>;
    const runtime = Object.keys(module).sort();
    expect(runtime.length).toBeGreaterThan(0);
    expect(documented(entry)).toEqual(runtime);
  });
});
