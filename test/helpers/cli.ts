/**
 * The one way tests run the CLI.
 *
 * By default a run calls `main(argv, env, io, signal, clock)` in this process: the code under test is
 * the source (no rebuild before a test sees a change), and a run costs no process start. With
 * `{ bundle: true }` it runs the built bundle (dist/ecs-release.cjs) as a child process, as a user
 * would: the small suite that keeps the bundle honest (bundle smoke, signals, orb jobs) uses that.
 *
 * Either way the run sees only the environment it is given (plus PATH, HOME and NO_COLOR): main()
 * reads its environment from its argument, and the AWS clients take endpoints and keys from it
 * (src/aws/clients.ts). Against the emulator, the run signs with an access key of its own, and its AWS
 * calls are evaluated against its job's IAM policy after the test (test/helpers/iam-check.ts, through
 * useEmulator).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Clock } from "../../src/core/clock.js";
import { InterruptedError } from "../../src/core/errors.js";
import { main } from "../../src/cli/main.js";
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
  /** The signal that ended a bundle run, if one did. */
  readonly signal?: NodeJS.Signals | null;
  /** When it ended (epoch ms). */
  readonly endedAt: number;
}

/** How to run the CLI. */
export interface CliOptions {
  /** Run the built bundle as a child process instead of main() in-process. */
  readonly bundle?: boolean;
  /** In-process only: the clock main() uses (default: the real one). */
  readonly clock?: Clock;
}

/** A CLI run in progress: what it printed so far, a way to interrupt it, and how it ended. */
export interface RunningCli {
  stdout(): string;
  stderr(): string;
  /**
   * Interrupts the run as SIGINT/SIGTERM would: a bundle run gets the real signal; an in-process run
   * gets what bin.ts does on a signal (its AbortSignal aborted with an InterruptedError).
   */
  interrupt(signal?: NodeJS.Signals): void;
  readonly ended: Promise<CliRun>;
}

/** The environment of a run: only `env`, plus PATH, HOME, NO_COLOR and no shared config file unless `env` names one; its own access key against the emulator. */
function runEnvironment(args: readonly string[], env: Record<string, string | undefined>): Record<string, string | undefined> {
  // The shared config file only when the test names one: never the developer's ~/.aws/config.
  return { PATH: process.env["PATH"], HOME: process.env["HOME"], NO_COLOR: "1", AWS_CONFIG_FILE: "/nonexistent/ecs-release-test/config", ...withCliKey(args, env) };
}

/** Starts the CLI (see the module comment); the test can act while it runs. */
export function startCli(args: readonly string[], env: Record<string, string | undefined> = {}, options: CliOptions = {}): RunningCli {
  return options.bundle ? startBundle(args, runEnvironment(args, env)) : startInProcess(args, runEnvironment(args, env), options.clock);
}

/** Runs the CLI to its end (see the module comment). */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}, options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, env, options).ended;
}

function startInProcess(args: readonly string[], env: Record<string, string | undefined>, clock: Clock | undefined): RunningCli {
  let stdout = "";
  let stderr = "";
  const controller = new AbortController();
  const io = { stdout: (text: string) => void (stdout += text), stderr: (text: string) => void (stderr += text), stderrIsTty: false };
  const ended = main(args, env, io, controller.signal, ...(clock === undefined ? [] : [clock])).then((code) => ({ code, stdout, stderr, output: stdout + stderr, endedAt: Date.now() }));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    interrupt: (signal = "SIGINT") => controller.abort(new InterruptedError(`interrupted by ${signal}`)),
    ended,
  };
}

function startBundle(args: readonly string[], env: Record<string, string | undefined>): RunningCli {
  const child = spawn(process.execPath, [BUNDLE, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<CliRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, output: stdout + stderr, endedAt: Date.now() }));
  });
  return { stdout: () => stdout, stderr: () => stderr, interrupt: (signal = "SIGINT") => void child.kill(signal), ended };
}
