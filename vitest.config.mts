import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/fast-check-seed.ts'],
    // Encodes are CPU-bound on a 2-core machine: run test files one at a time.
    fileParallelism: false,
    // In-process functions would print CloudWatch EMF lines and JSON logs into the test output.
    env: { POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.mosaic/test-results.json' },
  },
});
