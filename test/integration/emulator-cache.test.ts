/**
 * What the emulator's front keeps of moto's answers (test/emulator/moto-cache.ts) changes nothing a
 * client sees: a revision is read from moto once, and what a write can change is read again after it
 * (an image deleted or pushed, a repository's tag mutability, a reset that numbers revisions from 1).
 */
import { BatchDeleteImageCommand, CreateRepositoryCommand, PutImageCommand, PutImageTagMutabilityCommand } from "@aws-sdk/client-ecr";
import { DeleteTaskDefinitionsCommand, DeregisterTaskDefinitionCommand, DescribeServicesCommand, UpdateServiceCommand, type Service } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import type { MotoCallCounts } from "../emulator/index.js";
import { useEmulator } from "../helpers/emulator.js";
import { imageManifest, imageUri, putImage, registerTaskDefinition, SEED_SHAS, seedEachTest, seedPlatform, webTaskDefinition } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle, { maxAttempts: 1 });

beforeEach(async () => {
  await handle.emulator.setConsistency({ staleServiceReads: 0 });
});

async function describeWeb(): Promise<Service> {
  const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
  if (services?.[0] === undefined) throw new Error("web not described");
  return services[0];
}

/** Deploy `sha` on web and read the service until its rollout ends; the final PRIMARY deployment and the events. */
async function deployWeb(sha: string, registered?: string): Promise<{ primary: string; events: string[] }> {
  const arn = registered ?? (await registerTaskDefinition(clients, webTaskDefinition(sha)));
  await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: arn }));
  let service = await describeWeb();
  for (let read = 0; read < 6 && service.deployments?.some((d) => d.rolloutState === "IN_PROGRESS"); read++) service = await describeWeb();
  const primary = service.deployments?.find((d) => d.status === "PRIMARY");
  return { primary: `${primary?.taskDefinition?.split("/")[1]} ${primary?.rolloutState}`, events: (service.events ?? []).map((e) => e.message ?? "") };
}

const pullFailed = (events: string[], sha: string) => events.some((m) => m.includes(`CannotPullContainerError`) && m.includes(imageUri("platform", sha)));

function delta(before: MotoCallCounts, after: MotoCallCounts, key: string): number {
  return (after[key]?.count ?? 0) - (before[key]?.count ?? 0);
}

describe("the emulator's front keeps only what cannot change, or what the next write drops", () => {
  it("a rollout of a revision the front does not know reads it from moto once, however many steps it takes (positive control: the reads are answered from the cache)", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "complete", steps: 4 });
    const target = await registerTaskDefinition(clients, webTaskDefinition(SEED_SHAS[1]));
    // Deleting another revision makes the front forget every revision it kept (moto-cache.ts).
    await registerTaskDefinition(clients, webTaskDefinition(SEED_SHAS[2]));
    await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:3" }));
    await clients.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["web:3"] }));
    const before = await handle.emulator.motoCalls();
    expect((await deployWeb(SEED_SHAS[1], target)).primary).toBe("web:2 COMPLETED");
    const after = await handle.emulator.motoCalls();
    // Read from moto (the delete made the front forget it), then kept: its status and its body, once each.
    expect(delta(before, after, "ecs DescribeTaskDefinition (the front's own)")).toBeGreaterThan(0);
    expect(delta(before, after, "ecs DescribeTaskDefinition (the front's own)")).toBeLessThanOrEqual(2);
    expect(delta(before, after, "cache hit: revision")).toBeGreaterThan(0);
  });

  it("a revision registered through the front is known from moto's answer to the registration: its rollout asks moto nothing about it", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "complete", steps: 3 });
    const before = await handle.emulator.motoCalls();
    expect((await deployWeb(SEED_SHAS[1])).primary).toBe("web:2 COMPLETED");
    const after = await handle.emulator.motoCalls();
    expect(delta(before, after, "ecs DescribeTaskDefinition (the front's own)")).toBe(0);
    expect(delta(before, after, "cache hit: revision")).toBeGreaterThan(0);
    expect(delta(before, after, "cache hit: status")).toBeGreaterThan(0);
  });

  it("a revision deployed while ACTIVE, then deregistered: the next UpdateService to it is refused (its status is read again)", async () => {
    expect((await deployWeb(SEED_SHAS[1])).primary).toBe("web:2 COMPLETED");
    // web:2 named as such while ACTIVE (the emulator reads its status), then left and deregistered.
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:2", forceNewDeployment: true }));
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:1" }));
    await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:2" }));
    await expect(clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:2" }))).rejects.toMatchObject({ name: "InvalidParameterException", message: "TaskDefinition is inactive" });
  });

  it("an image deleted after a rollout checked it: the next deployment of it cannot pull it", async () => {
    expect((await deployWeb(SEED_SHAS[1])).primary).toBe("web:2 COMPLETED");
    await clients.ecr.send(new BatchDeleteImageCommand({ repositoryName: "platform", imageIds: [{ imageTag: SEED_SHAS[1] }] }));
    const again = await deployWeb(SEED_SHAS[1]);
    expect(pullFailed(again.events, SEED_SHAS[1])).toBe(true);
    expect(again.primary).toBe("web:2 COMPLETED"); // the circuit breaker rolled back to web:2
  });

  it("an image missing at one deployment and pushed before the next: the next one pulls it", async () => {
    const sha = "4".repeat(40);
    const missing = await deployWeb(sha);
    expect(pullFailed(missing.events, sha)).toBe(true);
    await putImage(clients, "platform", sha);
    expect((await deployWeb(sha)).primary).toBe("web:3 COMPLETED");
  });

  it("a repository's tag mutability changed after a push: the next push follows the new setting", async () => {
    await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: "shop" }));
    const put = (tag: string, build: string) => clients.ecr.send(new PutImageCommand({ repositoryName: "shop", imageTag: tag, imageManifest: imageManifest(build), imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json" }));
    await put("latest", "one");
    await put("latest", "two"); // MUTABLE: the tag moves
    await clients.ecr.send(new PutImageTagMutabilityCommand({ repositoryName: "shop", imageTagMutability: "IMMUTABLE" }));
    await expect(put("latest", "three")).rejects.toMatchObject({ name: "ImageTagAlreadyExistsException" });
    await clients.ecr.send(new PutImageTagMutabilityCommand({ repositoryName: "shop", imageTagMutability: "MUTABLE" }));
    await put("latest", "four");
  });

  it("after a reset, web:2 is a new revision: its images are read anew, not the ones kept before the reset", async () => {
    expect((await deployWeb(SEED_SHAS[1])).primary).toBe("web:2 COMPLETED");
    await handle.emulator.reset();
    await handle.emulator.setConsistency({ staleServiceReads: 0 });
    await seedPlatform(clients);
    // web:2 now runs an image ECR does not have; the web:2 of before the reset ran one it has.
    const missing = "5".repeat(40);
    const after = await deployWeb(missing);
    expect(pullFailed(after.events, missing)).toBe(true);
    expect(after.primary).toBe("web:1 COMPLETED");
  });
});
