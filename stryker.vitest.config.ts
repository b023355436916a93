/**
 * The vitest configuration Stryker runs (stryker.config.mjs): the unit tests of the code it mutates
 * (src/core and src/iam), which need no emulator; STRYKER_TESTS narrows them (comma-separated
 * folders or files).
 */
import { defineConfig } from "vitest/config";

const tests = (process.env["STRYKER_TESTS"] ?? "test/unit/core,test/unit/iam").split(",").filter(Boolean);

export default defineConfig({
  test: {
    include: tests.map((path) => (path.endsWith(".ts") ? path : `${path.replace(/\/$/, "")}/**/*.test.ts`)),
    setupFiles: ["test/helpers/hermetic-env.ts"],
    unstubEnvs: true,
    unstubGlobals: true,
    testTimeout: 60_000,
  },
});
