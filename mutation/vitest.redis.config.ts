import { defineConfig } from 'vitest/config';

/** The tests mutation testing runs for dotbus/redis: unit tests, the transport suites and the promise tests on a real redis-server. */
export default defineConfig({
  test: {
    include: [
      'test/unit/redis/**/*.test.ts',
      'test/transports/redis-*.test.ts',
      'test/integration/redis-streams/{delivery,attempts,attempt-ledger,commit-once,settler}.test.ts',
      // The promises of receipts, outages and resubscription, each on its own redis-server (in process: no child processes).
      'test/integration/redis/{refused-writes,streams-promises,resubscribe-once,publish-never-waits,outage-flush,resend-after-break}.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
