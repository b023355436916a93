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

/**
 * The environment every measured process starts from: PATH and HOME only. What else the bench's own
 * environment holds is not the CLI's cost and is left out, above all NODE_EXTRA_CA_CERTS: Node reads
 * that file's certificates when the process starts (https://nodejs.org/api/cli.html#node_extra_ca_certsfile:
 * "only read when the Node.js process is first launched"), which costs every process the same
 * (75–80 ms of CPU for the system's bundle of 140-odd certificates on the machine this was written on)
 * whatever it runs, and would hide the CLI's own start inside it.
 */
export function measuredEnv(): Record<string, string> {
  return { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "" };
}

/** Variables of the bench's own environment that change a Node process's start and that the measured processes do not get. */
export function startSettingsLeftOut(): string[] {
  return ["NODE_EXTRA_CA_CERTS", "NODE_OPTIONS"].filter((name) => process.env[name] !== undefined && process.env[name] !== "");
}

/** Runs `ecs-release args…` with only `env` (plus PATH and HOME). */
export function runTimed(args: readonly string[], env: Record<string, string>): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now();
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [bundle, ...args], {
      env: { ...measuredEnv(), NO_COLOR: "1", ECS_RELEASE_COMPILE_CACHE: compileCache ?? process.env["ECS_RELEASE_COMPILE_CACHE"] ?? "", ...env },
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

