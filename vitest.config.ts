import { defineConfig } from "vitest/config";

/**
 * Two projects. "src": every test, on the sources (in-process through runCli where a test needs hooks
 * such as io.fetch or signals). "dist": the tests that drive the CLI as a user does, re-run against the
 * shipped bundle (node dist/bin.js, built first by test/support/build-dist.ts): shipped code is tested code.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "src", include: ["test/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "dist",
          include: [
            "test/cli/faults.test.ts",
            "test/cli/eval.test.ts",
            "test/cli/proxy.test.ts",
            "test/cli/secrets.test.ts",
            "test/cli/stalls.test.ts",
            "test/cli/variant-headers.test.ts",
            "test/cli/knowable-rule-errors.test.ts",
            "test/providers/transport.test.ts",
            "test/shadow/cli.test.ts",
            "test/cli/traffic-eval.test.ts",
            "test/cli/dataset-stream.test.ts",
            "test/cli/traffic-example.test.ts",
            "test/traffic/import/flags.test.ts",
            "test/traffic/import/formats.test.ts",
            "test/providers/today-apis-cli.test.ts",
            "test/canary/cli.test.ts",
            "test/canary/serve-cli.test.ts",
            "test/rollout/cli.test.ts",
          ],
          env: { MODELGATE_TEST_TARGET: "dist" },
          globalSetup: ["test/support/build-dist.ts"],
        },
      },
    ],
  },
});
