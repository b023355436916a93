/**
 * Benchmark (6): `rollback` of a BLUE_GREEN service during bake time. ECS's deployment is in
 * flight, so rollback stops it with StopServiceDeployment ROLLBACK instead of rolling out again: the
 * time from just before spawn to the moment the emulator received StopServiceDeployment, and how many
 * polls after it the wait printed production traffic back on the previous revision.
 */
import { DescribeServiceDeploymentsCommand, DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { Emulator } from "../../test/emulator/index.js";
import type { AwsClients } from "../../test/helpers/emulator.js";
import { registerRevision, rollOut } from "../../test/helpers/revisions.js";
import { createService, SEED_NETWORK } from "../../test/helpers/seed.js";
import { runTimed } from "./cli-process.js";
import { CLUSTER, emulatorEnv, randomSha } from "./platform.js";

export const BAKE_SERVICE = "storefront";

/** One run; `failed` with the reason when it could not be measured. */
export type RollbackInBakeRun =
  | { readonly failed: false; readonly toStopMs: number; readonly callsBeforeStop: number; readonly pollsToTrafficBack: number | null; readonly wallMs: number; readonly totalCalls: number }
  | { readonly failed: true; readonly reason: string };

/** Creates the BLUE_GREEN service (family `storefront`, one stable revision, 60 minutes of bake time). */
export async function seedBakeService(clients: AwsClients): Promise<void> {
  const first = await registerRevision(clients, { family: BAKE_SERVICE, sha: randomSha(), outcome: "stable", pushImage: true });
  await createService(clients, {
    cluster: CLUSTER,
    name: BAKE_SERVICE,
    taskDefinition: first,
    desiredCount: 2,
    launchType: "FARGATE",
    networkConfiguration: SEED_NETWORK,
    deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 60, deploymentCircuitBreaker: { enable: true, rollback: true } },
  });
}

/** Rolls out a known-good revision, starts a bad one and drives it into BAKE_TIME, then times `rollback`. */
export async function runRollbackInBake(emulator: Emulator, clients: AwsClients): Promise<RollbackInBakeRun> {
  await rollOut(clients, CLUSTER, BAKE_SERVICE, await registerRevision(clients, { family: BAKE_SERVICE, sha: randomSha(), outcome: "stable", pushImage: true }));
  const badSha = randomSha();
  const bad = await registerRevision(clients, { family: BAKE_SERVICE, sha: badSha, pushImage: true });
  await emulator.addRule({ match: badSha, outcome: "complete", bakeSteps: 100_000 });
  const { service } = await clients.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: BAKE_SERVICE, taskDefinition: bad }));
  const arn = service?.currentServiceDeployment ?? "";
  for (let poll = 0; ; poll++) {
    const { serviceDeployments } = await clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
    if (serviceDeployments?.[0]?.lifecycleStage === "BAKE_TIME") break;
    if (poll > 30) return { failed: true, reason: "the deployment never reached BAKE_TIME" };
    await clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [BAKE_SERVICE] }));
  }
  const before = (await emulator.callLog()).length;
  const run = await runTimed(["rollback", "--cluster", CLUSTER, "--service", BAKE_SERVICE, "--poll-interval", "1ms"], emulatorEnv(emulator.url));
  if (run.code !== 0) return { failed: true, reason: `rollback exited ${run.code}: ${run.stderr.trim().split("\n").slice(-1)[0] ?? ""}` };
  const log = (await emulator.callLog()).slice(before);
  const stop = log.find((e) => e.operation === "StopServiceDeployment");
  if (stop === undefined) return { failed: true, reason: "rollback made no StopServiceDeployment call" };
  // The first progress line with production traffic back on the previous revision, and the polls between.
  const back = run.stderrLines.find((l) => l.at >= stop.start && /ROLLBACK_\w+: production 0% on /.test(l.text));
  const polls = back === undefined ? null : log.filter((e) => e.operation === "DescribeServices" && e.start >= stop.start && e.start <= back.at).length;
  return {
    failed: false,
    toStopMs: stop.start - run.spawnedAt,
    callsBeforeStop: log.filter((e) => e.start < stop.start).length,
    pollsToTrafficBack: polls,
    wallMs: run.wallMs,
    totalCalls: log.length,
  };
}
