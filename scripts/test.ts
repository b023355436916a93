// `npm test` after `npm run build`: the type check and the tests at once. The test run leaves a core
// idle much of the time (tests wait on the emulator, on podman, on the SDK's retry backoff), so
// `tsc --noEmit` takes no longer beside it. Arguments go to vitest (`npm test -- --reporter=json …`).
// tsc's output is printed after the tests', so the two never interleave; either failing fails the run.
import { spawn } from "node:child_process";
import { recordTypecheckPassed, TYPECHECK_STAMP, typecheckDigest, typecheckPassedBefore } from "./typecheck-cache.js";

function run(command: string, args: readonly string[], capture: boolean): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit" });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

// Skipped when nothing it reads has changed since it last passed (scripts/typecheck-cache.ts); else
// incremental: it re-checks only what changed (the state files are under node_modules/.cache, never
// committed). The digest is taken before tsc starts, so a file edited during the run is checked next time.
const digest = typecheckDigest(process.cwd());
const unchanged = typecheckPassedBefore(process.cwd(), digest);
const typecheck = unchanged
  ? Promise.resolve({ code: 0, output: "" })
  : run("npx", ["tsc", "--noEmit", "--incremental", "--tsBuildInfoFile", "node_modules/.cache/ecs-release/tsc.tsbuildinfo"], true);
const tests = await run("npx", ["vitest", "run", ...process.argv.slice(2)], false);
const types = await typecheck;
if (types.code === 0 && !unchanged) recordTypecheckPassed(process.cwd(), digest);
const verdict = types.code !== 0 ? `failed (exit ${types.code})` : unchanged ? `no type errors (nothing it reads has changed since it last passed: ${TYPECHECK_STAMP})` : "no type errors";
process.stdout.write(`\ntsc --noEmit: ${verdict}\n${types.output}`);
process.exitCode = tests.code !== 0 ? tests.code : types.code;
