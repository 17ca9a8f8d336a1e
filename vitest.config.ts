import { defineConfig } from 'vitest/config'

// Two projects: `unit` (pure functions: filters, aggregation, validation, no HTTP; seconds) and `http`
// (everything that starts an emulator). `npx vitest run --project unit` while iterating. The http project
// bundles the dashboard first (test/helpers/build-ui.ts): its emulators serve dist/ui.
const UNIT = ['test/**/*.unit.test.ts']

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    setupFiles: ['test/helpers/fail-on-unexpected-errors.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      { extends: true, test: { name: 'http', include: ['test/**/*.test.ts'], exclude: UNIT, globalSetup: ['test/helpers/build-ui.ts'] } },
    ],
  },
})
