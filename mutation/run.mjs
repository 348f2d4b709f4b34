// `npm run mutation [-- group… [--mutate=glob]]`: Stryker mutation testing, one run per group of folders, then the
// mutation score per folder. Slow by nature, so not part of `npm test`; incremental: a second run
// only re-tests mutants whose code or tests changed (the state lives in reports/mutation/).
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { Stryker } from '@stryker-mutator/core';

/** Each group: what to mutate, which tests run, and the score it must reach (the targets). */
const GROUPS = {
  core: {
    mutate: ['src/patterns/**/*.ts', 'src/codec/**/*.ts', 'src/transports/**/*.ts', 'src/frontends/**/*.ts'],
    vitestConfig: 'mutation/vitest.unit.config.ts',
    target: 80,
  },
  monitoring: { mutate: ['src/monitoring/**/*.ts'], vitestConfig: 'mutation/vitest.unit.config.ts', target: 70 },
  redis: { mutate: ['src/redis/**/*.ts'], vitestConfig: 'mutation/vitest.redis.config.ts', target: 70 },
};

const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// `--mutate=src/patterns/**/*.ts` narrows a group to some files (for working on one folder's tests).
const narrowed = process.argv.find((a) => a.startsWith('--mutate='))?.slice('--mutate='.length);
const names = chosen.length > 0 ? chosen : Object.keys(GROUPS);
mkdirSync('reports/mutation', { recursive: true });
const rows = [];
for (const name of names) {
  const group = GROUPS[name];
  if (group === undefined) throw new Error(`unknown group ${name}; choose from ${Object.keys(GROUPS).join(', ')}`);
  const stryker = new Stryker({
    testRunner: 'vitest',
    vitest: { configFile: group.vitestConfig, related: false },
    checkers: ['typescript'],
    tsconfigFile: 'tsconfig.json',
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    mutate: [...(narrowed === undefined ? group.mutate : [narrowed]), '!src/**/index.ts'],
    coverageAnalysis: 'perTest',
    incremental: true,
    incrementalFile: `reports/mutation/${name}.incremental.json`,
    concurrency: 2,
    timeoutMS: 20_000,
    ignoreStatic: true,
    reporters: ['progress', 'json'],
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    thresholds: { high: group.target, low: group.target - 10, break: null },
    tempDirName: `.stryker-tmp-${name}`,
  });
  const results = await stryker.runMutationTest();
  rows.push(...scoreByFolder(results, group.target));
}
const table = formatTable(rows);
writeFileSync('reports/mutation/scores.md', `${table}\n`);
process.stdout.write(`\n${table}\n`);

/** Killed (and timed-out) mutants over all that ran, per folder of src/. */
function scoreByFolder(results, target) {
  const folders = new Map();
  for (const r of results) {
    const file = relative(process.cwd(), r.fileName).split(sep).join('/');
    const folder = file.split('/').slice(0, file.startsWith('src/redis/') && file.split('/').length > 3 ? 3 : 2).join('/');
    const f = folders.get(folder) ?? { folder, killed: 0, survived: 0, noCoverage: 0, target };
    folders.set(folder, f);
    if (r.status === 'Killed' || r.status === 'Timeout') f.killed++;
    else if (r.status === 'Survived') f.survived++;
    else if (r.status === 'NoCoverage') f.noCoverage++;
  }
  return [...folders.values()].sort((a, b) => a.folder.localeCompare(b.folder));
}

function formatTable(list) {
  const lines = ['| folder | killed | survived | no coverage | score | target |', '|---|---|---|---|---|---|'];
  for (const f of list) {
    const total = f.killed + f.survived + f.noCoverage;
    const score = total === 0 ? 100 : (100 * f.killed) / total;
    lines.push(`| \`${f.folder}\` | ${f.killed} | ${f.survived} | ${f.noCoverage} | ${score.toFixed(1)}% | ≥ ${f.target}% |`);
  }
  return lines.join('\n');
}
