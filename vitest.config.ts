import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'build/**/*.test.ts', 'models/**/*.test.ts', 'bench/**/*.test.ts'],
    // Native modules (SQLite, ONNX Runtime, hnswlib) are safest in separate processes.
    pool: 'forks',
    // The default reporter counts skipped tests; this one also says why each was skipped.
    reporters: ['default', './build/skip-reporter.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    env: {
      LOUPE_MODELS: path.resolve('models/packs'),
      ONNXRUNTIME_NODE_INSTALL: 'skip',
      // Tests that load models in their own process, not through the pool, keep ONNX Runtime offline too.
      ORT_DISABLE_TELEMETRY: '1',
    },
  },
});
