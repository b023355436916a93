/**
 * Benchmark (2): a cold `rollback` (a fresh process) of one service to the previous revision
 * recorded as stable: the time from just before spawn to the moment the emulator received
 * UpdateService, and the calls made before it.
 */
import type { Emulator } from "../../test/emulator/index.js";
import type { AwsClients } from "../../test/helpers/emulator.js";
import { registerRevision, rollOut } from "../../test/helpers/revisions.js";
import { createService, SEED_NETWORK } from "../../test/helpers/seed.js";
import { countByOperation } from "./calls.js";
import { runTimed } from "./cli-process.js";
import { CLUSTER, emulatorEnv, randomSha } from "./platform.js";

export const ROLLBACK_SERVICE = "checkout";

/** One rollback run; `pending` when this build has no rollback yet. */
export type RollbackRun =
  | { readonly pending: false; readonly toUpdateMs: number; readonly callsBefore: Record<string, number>; readonly callsBeforeTotal: number; readonly totalCalls: number; readonly wallMs: number }
  | { readonly pending: true; readonly reason: string };

/** Creates the service (family `checkout`, two stable revisions to start with). */
export async function seedRollbackService(clients: AwsClients): Promise<void> {
  const first = await registerRevision(clients, { family: ROLLBACK_SERVICE, sha: randomSha(), outcome: "stable", pushImage: true });
  await createService(clients, { cluster: CLUSTER, name: ROLLBACK_SERVICE, taskDefinition: first, desiredCount: 2, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
}

/** Registers a known-good and a bad revision, rolls the service out to the bad one, then times `rollback`. */
export async function runRollback(emulator: Emulator, clients: AwsClients): Promise<RollbackRun> {
  await registerRevision(clients, { family: ROLLBACK_SERVICE, sha: randomSha(), outcome: "stable", pushImage: true });
  const bad = await registerRevision(clients, { family: ROLLBACK_SERVICE, sha: randomSha(), outcome: "stable", pushImage: true });
  await rollOut(clients, CLUSTER, ROLLBACK_SERVICE, bad);
  const before = (await emulator.callLog()).length;
  const run = await runTimed(["rollback", "--cluster", CLUSTER, "--service", ROLLBACK_SERVICE, "--poll-interval", "1ms", "--json"], emulatorEnv(emulator.url));
  if (/not implemented/.test(run.stderr)) return { pending: true, reason: "rollback is not implemented in this build" };
  if (run.code !== 0) return { pending: true, reason: `rollback exited ${run.code}: ${run.stderr.trim().split("\n").slice(-1)[0] ?? ""}` };
  const log = (await emulator.callLog()).slice(before);
  const update = log.findIndex((e) => e.operation === "UpdateService");
  if (update < 0) return { pending: true, reason: "rollback made no UpdateService call" };
  const updateStart = log[update]?.start ?? 0;
  const callsBefore = countByOperation(log.filter((e) => e.start < updateStart));
  return {
    pending: false,
    toUpdateMs: updateStart - run.spawnedAt,
    callsBefore,
    callsBeforeTotal: Object.values(callsBefore).reduce((a, b) => a + b, 0),
    totalCalls: log.length,
    wallMs: run.wallMs,
  };
}
