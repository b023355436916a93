import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The developer's AWS/CircleCI variables never reach a test (the CLI runs in-process).
    // cpu-per-file.ts does nothing unless TEST_CPU_FILE is set (docs/performance.md, "Where the CPU goes").
    setupFiles: ["test/helpers/hermetic-env.ts", "test/helpers/cpu-per-file.ts"],
    // Three workers on two cores, chosen by measurement (docs/performance.md, "Worker count"): a worker
    // spends much of its time waiting on moto and on child processes, so a third overlaps those waits.
    pool: "forks",
    maxWorkers: 3,
    // A worker runs its test files one after another in one process: the emulator (moto) and the AWS
    // SDK are started and loaded once per worker, not once per file (test/helpers/emulator.ts resets
    // the emulator before each file). Files restore what they change (vi.stubEnv → unstubEnvs below).
    isolate: false,
    unstubEnvs: true,
    unstubGlobals: true,
    testTimeout: 60_000,
    // Vite's transform of each test and source file kept on disk (node_modules/.experimental-vitest-cache),
    // keyed by the file's content, id and Vite's settings: a second run transforms only what changed
    // (https://vitest.dev/config/experimental.html; docs/performance.md, "Builds and type check by content").
    // No plugin here reads anything outside the file, which is what the docs' warning is about. What a
    // cached transform keeps of the world is where its imports resolved: a file added so that an import
    // resolves to it instead (x.js beside the x.ts that `./x.js` meant) is not seen until
    // `npx vitest --clearCache`. The lock file's hash clears the cache whenever packages change.
    experimental: { fsModuleCache: true },
    // The tests' own AWS SDK clients on Node 20: the SDK's notice about its future releases is noise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    hookTimeout: 60_000,
  },
});
