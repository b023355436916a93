/** Runs the built CLI (dist/ecs-release.cjs) as a child process and times it from just before spawn. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built bundle. */
export const BUNDLE = fileURLToPath(new URL("../../dist/ecs-release.cjs", import.meta.url));

let bundle = BUNDLE;

/** Runs another build instead (`npm run bench -- --bundle PATH`: an older build, for a before/after). */
export function useBundle(path: string): void {
  bundle = path;
}

let compileCache: string | undefined;

/**
 * The full build's compile cache directory for the next runs (ECS_RELEASE_COMPILE_CACHE; scripts/compile-cache.js):
 * a new, empty one to time a first run; undefined: the bench's own (process.env).
 */
export function useCompileCache(dir: string | undefined): void {
  compileCache = dir;
}

/** How a timed CLI run went. */
export interface TimedRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Epoch ms taken just before spawn. */
  readonly spawnedAt: number;
  /** Wall milliseconds from just before spawn to exit (high resolution). */
  readonly wallMs: number;
  /** Each stderr line with the epoch ms at which it arrived here. */
  readonly stderrLines: ReadonlyArray<{ readonly at: number; readonly text: string }>;
}

/** Runs `ecs-release args…` with only `env` (plus PATH and HOME). */
export function runTimed(args: readonly string[], env: Record<string, string>): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now();
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [bundle, ...args], {
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", NO_COLOR: "1", ECS_RELEASE_COMPILE_CACHE: compileCache ?? process.env["ECS_RELEASE_COMPILE_CACHE"] ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const stderrLines: Array<{ at: number; text: string }> = [];
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      const at = Date.now();
      const partial = stderr.slice(stderr.lastIndexOf("\n") + 1);
      stderr += chunk.toString();
      const lines = (partial + chunk.toString()).split("\n");
      lines.pop(); // an unfinished line is recorded when it ends
      for (const text of lines) stderrLines.push({ at, text });
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, spawnedAt, wallMs: Number(process.hrtime.bigint() - started) / 1e6, stderrLines }));
  });
}

/** Throws with the CLI's output when it did not exit with `expected`. */
export function expectExit(run: TimedRun, expected: number, what: string): void {
  if (run.code !== expected) throw new Error(`${what}: expected exit ${expected}, got ${run.code}\n${run.stderr.slice(-3000)}\n${run.stdout.slice(-2000)}`);
}

