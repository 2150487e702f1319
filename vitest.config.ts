import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // dist/cli.js, which the CLI tests run, rebuilt from src/ once per run
    globalSetup: ['./test/support/build-cli.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // the default core (dt-schema's, vendored) whatever the developer's shell sets
    env: { DTOVERLAY_CHECK_CORE_SCHEMAS: '' },
  },
});
