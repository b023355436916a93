/**
 * Benchmark (6): `rollback` of a BLUE_GREEN service during bake time. ECS's deployment is in
 * flight, so rollback stops it with StopServiceDeployment ROLLBACK instead of rolling out again: the
 * time from just before spawn to the moment the emulator received StopServiceDeployment (every AWS
 * call taking LATENCY_MS, as in rollback.ts), the sequential round trips up to and including it, and
 * how many polls after it the wait printed production traffic back on the previous revision.
 */
import { DescribeServiceDeploymentsCommand, DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { Emulator } from "../../test/emulator/index.js";
import type { AwsClients } from "../../test/helpers/emulator.js";
import { registerRevision, rollOut } from "../../test/helpers/revisions.js";
import { createService, SEED_NETWORK } from "../../test/helpers/seed.js";
import { callsBefore, longestChain } from "../../test/helpers/round-trips.js";
import { runTimed } from "./cli-process.js";
import { LATENCY_MS } from "./rollback.js";
import { CLUSTER, emulatorEnv, randomSha } from "./platform.js";

/** The service (and family); a suffix names another one (a second build's, measured beside). */
export const BAKE_SERVICE_NAME = "storefront";

/** One run; `failed` with the reason when it could not be measured. */
export type RollbackInBakeRun =
  | {
      readonly failed: false;
      readonly toStopMs: number;
      /** Process start → its first AWS call: the start and the module loading, before any round trip. */
      readonly firstCallMs: number;
      readonly callsBeforeStop: number;
      /** Sequential round trips up to and including StopServiceDeployment, and the chain that makes them. */
      readonly roundTrips: number;
      readonly chain: readonly string[];
      readonly pollsToTrafficBack: number | null;
      readonly wallMs: number;
      readonly totalCalls: number;
    }
  | { readonly failed: true; readonly reason: string };

/** Creates the BLUE_GREEN service (family `storefront`, one stable revision, 60 minutes of bake time). */
export async function seedBakeService(clients: AwsClients, suffix = ""): Promise<void> {
  const BAKE_SERVICE = `${BAKE_SERVICE_NAME}${suffix}`;
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
export async function runRollbackInBake(emulator: Emulator, clients: AwsClients, suffix = ""): Promise<RollbackInBakeRun> {
  const BAKE_SERVICE = `${BAKE_SERVICE_NAME}${suffix}`;
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
  await emulator.setLatency(LATENCY_MS);
  const run = await runTimed(["rollback", "--cluster", CLUSTER, "--service", BAKE_SERVICE, "--poll-interval", "1ms"], emulatorEnv(emulator.url)).finally(() => emulator.setLatency(0));
  if (run.code !== 0) return { failed: true, reason: `rollback exited ${run.code}: ${run.stderr.trim().split("\n").slice(-1)[0] ?? ""}` };
  const log = (await emulator.callLog()).slice(before);
  const stop = log.find((e) => e.operation === "StopServiceDeployment");
  if (stop === undefined) return { failed: true, reason: "rollback made no StopServiceDeployment call" };
  // The first progress line with production traffic back on the previous revision, and the polls between.
  const back = run.stderrLines.find((l) => l.at >= stop.start && /ROLLBACK_\w+: production 0% on /.test(l.text));
  const polls = back === undefined ? null : log.filter((e) => e.operation === "DescribeServices" && e.start >= stop.start && e.start <= back.at).length;
  const chain = [...longestChain(callsBefore(log, "StopServiceDeployment")), "StopServiceDeployment"];
  return {
    failed: false,
    toStopMs: stop.start - run.spawnedAt,
    firstCallMs: (log[0]?.start ?? stop.start) - run.spawnedAt,
    callsBeforeStop: log.filter((e) => e.start < stop.start).length,
    roundTrips: chain.length,
    chain,
    pollsToTrafficBack: polls,
    wallMs: run.wallMs,
    totalCalls: log.length,
  };
}
