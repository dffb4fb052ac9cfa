import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'console/src/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Timeouts only catch a hung test: no test depends on the machine's speed (clocks and timeouts are
    // injected, waits are on events), so a loaded machine makes the suite slower, never red.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 2,
    // The local HTTP fakes listen on loopback, which the outbound URL guard refuses by default; the SSRF
    // tests (test/outbound-url.test.ts) set their own allow-list.
    env: { DESKMIND_OUTBOUND_ALLOW: '127.0.0.1,::1,localhost' },
  },
});
