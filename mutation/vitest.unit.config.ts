import { defineConfig } from 'vitest/config';

/** The tests mutation testing runs for core and monitoring: in-process only, no child processes, no Redis. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/transports/in-memory.test.ts', 'test/transports/noop.test.ts'],
    exclude: ['test/unit/public-api.test.ts', 'test/unit/package-boundaries.test.ts', 'test/unit/redis/**'],
    testTimeout: 60_000,
  },
});
