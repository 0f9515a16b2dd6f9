// Vitest reads its configuration from a default export; this is the one file that needs one.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/property/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // expect.poll waits for work done in the background; its 1 s default fails on a busy machine.
    expect: { poll: { timeout: 10_000, interval: 25 } },
  },
});
