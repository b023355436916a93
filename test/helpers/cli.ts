import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { withCliKey } from "./iam-check.js";

/** The built bundle; `npm test` builds it first. */
export const BUNDLE = fileURLToPath(new URL("../../dist/ecs-release.cjs", import.meta.url));

/** What a CLI run printed and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for scanning for secrets. */
  readonly output: string;
}

/**
 * Runs the built CLI as a user would: a child process with only the given environment (plus PATH
 * and HOME), so nothing of the test runner's environment leaks in. Against the emulator, the run
 * signs with an access key of its own, and its AWS calls are evaluated against its job's IAM policy
 * after the test (test/helpers/iam-check.ts, through useEmulator).
 */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}, options: { input?: string; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], {
      env: { PATH: process.env["PATH"], HOME: process.env["HOME"], NO_COLOR: "1", ...withCliKey(args, env) },
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, output: stdout + stderr }));
    child.stdin.end(options.input ?? "");
  });
}
