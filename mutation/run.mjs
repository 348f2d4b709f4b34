// `npm run mutation [-- group… [--mutate=glob]]`: Stryker mutation testing, one run per group (one
// folder of src/ each), then the mutation score per folder of every group run so far. Slow by
// nature, so not part of `npm test`; incremental: a second run of a group only re-tests mutants
// whose code or tests changed (the state lives in reports/mutation/).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { Stryker } from '@stryker-mutator/core';

const UNIT = 'mutation/vitest.unit.config.ts';
/** Each group: what to mutate, which tests run, and the score it must reach (the targets). */
const GROUPS = {
  patterns: { mutate: ['src/patterns/**/*.ts'], vitestConfig: UNIT, target: 80 },
  codec: { mutate: ['src/codec/**/*.ts'], vitestConfig: UNIT, target: 80 },
  transports: { mutate: ['src/transports/**/*.ts'], vitestConfig: UNIT, target: 80 },
  frontends: { mutate: ['src/frontends/**/*.ts'], vitestConfig: UNIT, target: 80 },
  // The two largest folders run a chosen part by default, so that a run ends within half an hour
  // on 2 cores (the whole of either takes hours: about 3,000 mutants each, Redis's on a real
  // server): the files that keep the promises the README makes. `--mutate='src/redis/**/*.ts'`
  // runs a whole folder.
  monitoring: {
    mutate: [
      'src/monitoring/{coordinator,validation-monitoring-service,context-state,validation-view,resource-meter}.ts',
      'src/monitoring/alerts/{alert-engine,threshold-rule,sequence-rule,absence-rule}.ts',
    ],
    vitestConfig: UNIT,
    target: 70,
  },
  redis: {
    mutate: [
      'src/redis/{outage-buffer,reply-tracker,producer-core}.ts',
      'src/redis/pubsub/{gap-tracker,batcher,heartbeat}.ts',
      'src/redis/streams/{attempts,settler,commit-once,read-budget}.ts',
    ],
    vitestConfig: 'mutation/vitest.redis.config.ts',
    target: 70,
  },
};

const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// `--mutate=src/patterns/**/*.ts` narrows a group to some files (for working on one folder's tests).
const narrowed = process.argv.find((a) => a.startsWith('--mutate='))?.slice('--mutate='.length);
// `--concurrency=1` leaves a core to other work (the scores are the same; only the time changes).
const concurrency = Number(process.argv.find((a) => a.startsWith('--concurrency='))?.slice('--concurrency='.length) ?? 2);
const names = chosen.length > 0 ? chosen : Object.keys(GROUPS);
mkdirSync('reports/mutation', { recursive: true });
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
    concurrency,
    timeoutMS: 10_000,
    ignoreStatic: true,
    reporters: ['progress', 'json'],
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    thresholds: { high: group.target, low: group.target - 10, break: null },
    tempDirName: `.stryker-tmp-${name}`,
  });
  await stryker.runMutationTest();
}
// Every group run so far, from its JSON report (a group not run yet has no row).
const rows = Object.entries(GROUPS).flatMap(([name, group]) => {
  const file = `reports/mutation/${name}.json`;
  if (!existsSync(file)) return [];
  const folders = scoreByFolder(JSON.parse(readFileSync(file, 'utf8')), group.target);
  // A group split over sub-folders (src/redis) also gets its total: the target is the group's.
  return folders.length > 1 ? [...folders, total(`src/${name}`, folders, group.target)] : folders;
});
const table = formatTable(rows);
writeFileSync('reports/mutation/scores.md', `${table}\n`);
process.stdout.write(`\n${table}\n`);

/** Killed (and timed-out) mutants over all that ran, per folder of src/, from a mutation-testing-elements JSON report. */
function scoreByFolder(report, target) {
  const folders = new Map();
  for (const [path, { mutants }] of Object.entries(report.files)) {
    const file = relative(process.cwd(), path).split(sep).join('/');
    const parts = file.split('/');
    const folder = parts.slice(0, file.startsWith('src/redis/') && parts.length > 3 ? 3 : 2).join('/');
    const f = folders.get(folder) ?? { folder, killed: 0, survived: 0, noCoverage: 0, target };
    folders.set(folder, f);
    for (const m of mutants) {
      if (m.status === 'Killed' || m.status === 'Timeout') f.killed++;
      else if (m.status === 'Survived') f.survived++;
      else if (m.status === 'NoCoverage') f.noCoverage++;
    }
  }
  return [...folders.values()].sort((a, b) => a.folder.localeCompare(b.folder));
}

function total(folder, list, target) {
  const sum = (key) => list.reduce((n, f) => n + f[key], 0);
  return { folder: `${folder} (all)`, killed: sum('killed'), survived: sum('survived'), noCoverage: sum('noCoverage'), target };
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
