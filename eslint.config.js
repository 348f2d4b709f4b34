// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Heavy dependencies and the one folder that may import each (the rest never loads them). */
const HEAVY = { ioredis: 'src/redis', 'prom-client': 'src/prometheus', '@opentelemetry/api': 'src/otel', 'better-sqlite3': 'src/audit', pg: 'src/audit', hono: 'src/serve', '@hono/node-server': 'src/serve' };
/** The subpath folders: each uses core only through `index.js` (public) or `internal.js` (plumbing). */
const SUBPATHS = ['redis', 'monitoring', 'otel', 'prometheus', 'schema', 'audit', 'serve', 'cli'];
/** Core's modules, which a subpath must not import directly. */
const CORE = ['events/*', 'codec/*', 'patterns/*', 'transports/*', 'frontends/*', 'testing/*', 'errors.js', 'namespace.js', 'transport.js', 'observer.js', 'bus-views.js'];
/** `p` as seen from one, two or three folders below `src/`. */
const fromBelow = (p) => ['../', '../../', '../../../'].map((up) => up + p);

/** One `no-restricted-imports` rule per folder: when several blocks set it, only the last applies. */
function restrictImports(folder, patterns) {
  const paths = Object.entries(HEAVY)
    .filter(([, owner]) => owner !== folder)
    .map(([name, owner]) => ({ name, message: `only ${owner}/ may import ${name}` }));
  // Their deep imports too (`hono/streaming`).
  const deep = Object.entries(HEAVY)
    .filter(([, owner]) => owner !== folder)
    .map(([name, owner]) => ({ group: [`${name}/*`], message: `only ${owner}/ may import ${name}` }));
  return { 'no-restricted-imports': ['error', { paths, patterns: [...patterns, ...deep] }] };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results.json', 'reports/', '.stryker-tmp*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', queueMicrotask: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    // The dashboard's page: plain ES modules run by the browser, shipped as they are.
    files: ['src/serve/assets/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', fetch: 'readonly', EventSource: 'readonly', Node: 'readonly', encodeURIComponent: 'readonly', URLSearchParams: 'readonly', FormData: 'readonly' } },
  },
  {
    // Type tests declare aliases and parameters only to have the compiler check them.
    files: ['test/types/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // Core never imports a subpath, and loads no heavy dependency.
    files: ['src/**/*.ts'],
    ignores: SUBPATHS.map((s) => `src/${s}/**`),
    rules: restrictImports('src', [{ group: SUBPATHS.flatMap((s) => [`./${s}/*`, ...fromBelow(`${s}/*`)]), message: 'core never imports a subpath' }]),
  },
  // Subpaths use core only through its entries, so they could become packages by moving files;
  // they use each other only through their entries too (the CLI imports subpaths as a user would).
  ...SUBPATHS.map((s) => ({
    files: [`src/${s}/**/*.ts`],
    rules: restrictImports(`src/${s}`, [
      { group: CORE.flatMap(fromBelow), message: 'import core through index.js (public API) or internal.js (plumbing)' },
      ...SUBPATHS.filter((other) => other !== s).map((other) => ({
        group: fromBelow(`${other}/*`).flatMap((p) => [p, `!${p.replace('*', 'index.js')}`]),
        message: `import ${other} through its entry, ${other}/index.js`,
      })),
    ]),
  })),
);
