import { defineConfig } from 'vitest/config';

/** The tests mutation testing runs for dotbus/redis: unit tests and the transport suites on a real redis-server. */
export default defineConfig({
  test: {
    include: ['test/unit/redis/**/*.test.ts', 'test/transports/redis-*.test.ts', 'test/integration/redis-streams/delivery.test.ts', 'test/integration/redis-streams/attempts.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
