import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration suites each start an emulator (a moto process); two cores run two at a time well.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    // The tests' own AWS SDK clients on Node 20: the SDK's notice about its future releases is noise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    hookTimeout: 60_000,
  },
});
