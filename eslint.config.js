// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results.json'] },
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
    // Type tests declare aliases and parameters only to have the compiler check them.
    files: ['test/types/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  // Heavy dependencies stay behind their subpath: each may be imported by its own folder only.
  ...[
    ['ioredis', 'src/redis/**'],
    ['prom-client', 'src/prometheus/**'],
    ['@opentelemetry/api', 'src/otel/**'],
  ].map(([name, folder]) => ({
    files: ['src/**/*.ts'],
    ignores: [folder],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name, message: `only ${folder.replace('/**', '/')} may import ${name}` }] }],
    },
  })),
  {
    // Subpaths use core only through its public entry, so they could become packages by moving files.
    files: ['src/redis/**/*.ts', 'src/monitoring/**/*.ts', 'src/cli/**/*.ts', 'src/prometheus/**/*.ts', 'src/otel/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../events/*', '../codec/*', '../patterns/*', '../transports/*', '../frontends/*', '../errors.js', '../transport.js', '../observer.js'], message: 'import core through ../index.js' }] },
      ],
    },
  },
);
