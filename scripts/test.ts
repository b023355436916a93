// `npm test` after `npm run build`: the type check and the tests at once. The test run leaves a core
// idle much of the time (tests wait on the emulator, on podman, on the SDK's retry backoff), so
// `tsc --noEmit` takes no longer beside it. Arguments go to vitest (`npm test -- --reporter=json …`).
// tsc's output is printed after the tests', so the two never interleave; either failing fails the run.
import { spawn } from "node:child_process";

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

// Incremental: a second run on the same checkout re-checks only what changed (the state file is
// under node_modules/.cache, never committed).
const typecheck = run("npx", ["tsc", "--noEmit", "--incremental", "--tsBuildInfoFile", "node_modules/.cache/ecs-release/tsc.tsbuildinfo"], true);
const tests = await run("npx", ["vitest", "run", ...process.argv.slice(2)], false);
const types = await typecheck;
process.stdout.write(`\ntsc --noEmit: ${types.code === 0 ? "no type errors" : `failed (exit ${types.code})`}\n${types.output}`);
process.exitCode = tests.code !== 0 ? tests.code : types.code;
