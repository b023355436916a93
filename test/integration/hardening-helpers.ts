/**
 * Helpers for the hardening suites: the built CLI as a child process the test can act on while it
 * runs (signals, a second run beside it), and waiting for what it printed without fixed sleeps.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { BUNDLE } from "../helpers/cli.js";

/** How a run ended. */
export interface EndedRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** When it ended (epoch ms). */
  readonly endedAt: number;
}

/** A CLI run in progress. */
export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly ended: Promise<EndedRun>;
}

/** Starts the built CLI with only `env` (plus PATH, HOME, NO_COLOR). */
export function startCli(args: readonly string[], env: Record<string, string | undefined>): RunningCli {
  const child = spawn(process.execPath, [BUNDLE, ...args], {
    env: { PATH: process.env["PATH"], HOME: process.env["HOME"], NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<EndedRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, endedAt: Date.now() }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, ended };
}

/**
 * Resolves once `predicate` holds. Between checks it yields to `pace` (one emulator round trip,
 * e.g. `() => emulator.callLog()`), so the loop follows the emulator, not a timer.
 */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, what: string, pace: () => Promise<unknown>, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pace();
  }
}
