/**
 * Benchmark (3): `history --limit 20` on a family of thousands of revisions: calls and time. The
 * family is seeded with concurrent RegisterTaskDefinition calls (SEED_CONCURRENCY at a time).
 */
import type { Emulator } from "../../test/emulator/index.js";
import type { AwsClients } from "../../test/helpers/emulator.js";
import { registerRevision } from "../../test/helpers/revisions.js";
import { createService, SEED_NETWORK } from "../../test/helpers/seed.js";
import { countByOperation, total } from "./calls.js";
import { mapConcurrently } from "../../src/core/map-concurrently.js";
import { expectExit, runTimed } from "./cli-process.js";
import { CLUSTER, emulatorEnv, randomSha, SEED_CONCURRENCY } from "./platform.js";

/** One history run. */
export interface HistoryRun {
  readonly calls: Record<string, number>;
  readonly totalCalls: number;
  readonly wallMs: number;
  readonly rows: number;
}

/**
 * Registers `count` revisions of `family` (every third failed, the rest stable) and a service
 * running the newest; returns the seconds seeding took.
 */
export async function seedHistoryFamily(clients: AwsClients, family: string, count: number): Promise<number> {
  const started = performance.now();
  const outcomes = ["stable", "stable", "failed"] as const;
  const arns = await mapConcurrently(Array.from({ length: count }, (_, i) => i), SEED_CONCURRENCY, (i) =>
    registerRevision(clients, { family, sha: randomSha(), outcome: outcomes[i % 3] ?? "stable", releasedBy: `dev${i % 7}` }),
  );
  const newest = arns.reduce((a, b) => (Number(a.slice(a.lastIndexOf(":") + 1)) > Number(b.slice(b.lastIndexOf(":") + 1)) ? a : b));
  await createService(clients, { cluster: CLUSTER, name: family, taskDefinition: newest, desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
  return (performance.now() - started) / 1000;
}

/** Runs `history` with `args` (e.g. `--family F` or `--cluster C --service S`) and `--limit`. */
export async function runHistory(emulator: Emulator, args: readonly string[], limit: number): Promise<HistoryRun> {
  const before = (await emulator.callLog()).length;
  const run = await runTimed(["history", ...args, "--limit", String(limit), "--json"], emulatorEnv(emulator.url));
  expectExit(run, 0, `history ${args.join(" ")}`);
  const calls = countByOperation((await emulator.callLog()).slice(before));
  const result = JSON.parse(run.stdout) as { revisions: unknown[] };
  return { calls, totalCalls: total(calls), wallMs: run.wallMs, rows: result.revisions.length };
}
