/**
 * Snapshots of the emulator (POST /_sim/restore and /_sim/snapshot; test/helpers/seed.ts, fromSnapshot):
 * a set-up put back from a snapshot is the set-up built through the API, as every read shows it, and
 * nothing else; it continues as the built one does; a snapshot never replaces what a test did first.
 */
import { describe, expect, it } from "vitest";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-ecs";
import { GetParametersByPathCommand } from "@aws-sdk/client-ssm";
import { DescribeImagesCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { awsClients, useEmulator, type AwsClients } from "../helpers/emulator.js";
import { fromSnapshot, registerTaskDefinition, SEED_EXECUTION_ROLE_NAME, seedPlatform, webTaskDefinition } from "../helpers/seed.js";

const handle = useEmulator();

/** What a test can read of the seeded platform, without the values that differ between two builds (times, ids). */
async function everything(clients: AwsClients): Promise<unknown> {
  const services = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web", "worker"] }));
  const families = await clients.ecs.send(new ListTaskDefinitionsCommand({}));
  const revisions = await Promise.all((families.taskDefinitionArns ?? []).map((arn) => clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }))));
  const serviceTags = await Promise.all((services.services ?? []).map((s) => clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: s.serviceArn }))));
  const parameters = await clients.ssm.send(new GetParametersByPathCommand({ Path: "/platform/prod", Recursive: true, WithDecryption: true }));
  const repositories = await clients.ecr.send(new DescribeRepositoriesCommand({}));
  const images = await clients.ecr.send(new DescribeImagesCommand({ repositoryName: "platform" }));
  const role = await clients.iam.send(new GetRoleCommand({ RoleName: SEED_EXECUTION_ROLE_NAME }));
  const logGroups = await clients.logs.send(new DescribeLogGroupsCommand({}));
  const timeless = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value, (key, v: unknown) => (/(At|Date|date|Time|time)$/.test(key) || key === "id" || key === "$metadata" || key === "RoleId" || key === "arn" && typeof v === "string" && v.includes("ecs-svc") ? undefined : v)));
  return timeless({
    services: (services.services ?? []).map((s) => ({ ...s, deployments: s.deployments?.map(({ id: _id, ...d }) => d), events: s.events?.map((e) => e.message) })),
    revisions: revisions.map((r) => ({ ...r.taskDefinition, tags: r.tags })),
    serviceTags,
    parameters: (parameters.Parameters ?? []).map(({ Name, Type, Value, Version }) => ({ Name, Type, Value, Version })),
    repositories: (repositories.repositories ?? []).map(({ repositoryName, repositoryUri, imageTagMutability }) => ({ repositoryName, repositoryUri, imageTagMutability })),
    images: (images.imageDetails ?? []).map(({ imageDigest, imageTags }) => ({ imageDigest, imageTags })).sort((a, b) => String(a.imageDigest).localeCompare(String(b.imageDigest))),
    role: { Arn: role.Role?.Arn, AssumeRolePolicyDocument: role.Role?.AssumeRolePolicyDocument },
    logGroups: (logGroups.logGroups ?? []).map((g) => g.logGroupName),
  });
}

describe("a set-up put back from a snapshot", () => {
  it("reads as the set-up built through the API, with the same value, the same call log and nothing else", async () => {
    const name = `test-platform-${Date.now()}`;
    const build = (clients: AwsClients) => () => seedPlatformUnder(clients);
    // The first build is recorded and taken; the second reset puts it back.
    await handle.emulator.reset();
    const built = await fromSnapshot(awsClients(handle.emulator), name, build(awsClients(handle.emulator)));
    const builtLog = (await handle.emulator.callLog()).map((entry) => entry.operation).sort();
    const throughApi = await everything(awsClients(handle.emulator));
    await handle.emulator.reset();
    await registerTaskDefinition(awsClients(handle.emulator), { ...webTaskDefinition("f".repeat(40)), family: "left-over" });
    await handle.emulator.reset();
    const restored = await handle.emulator.restore(name);
    expect(restored).toEqual({ restored: true, value: built });
    expect((await handle.emulator.callLog()).map((entry) => entry.operation).sort()).toEqual(builtLog);
    expect(builtLog.length).toBeGreaterThan(15);
    expect(await everything(awsClients(handle.emulator))).toEqual(throughApi);
  });

  it("continues as the built one: the next revision is web:2, a rollout of it completes, and the snapshot itself is not changed", async () => {
    const name = `test-continues-${Date.now()}`;
    await handle.emulator.reset();
    await fromSnapshot(awsClients(handle.emulator), name, () => seedPlatformUnder(awsClients(handle.emulator)));
    for (let round = 0; round < 2; round++) {
      await handle.emulator.reset();
      expect((await handle.emulator.restore(name)).restored).toBe(true);
      const clients = awsClients(handle.emulator);
      const arn = await registerTaskDefinition(clients, webTaskDefinition("2".repeat(40)));
      expect(arn.endsWith("task-definition/web:2")).toBe(true);
      const { UpdateServiceCommand } = await import("@aws-sdk/client-ecs");
      await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: arn }));
      let primary: string | undefined;
      for (let poll = 0; poll < 20 && primary !== "COMPLETED"; poll++) {
        const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
        const deployment = services?.[0]?.deployments?.find((d) => d.status === "PRIMARY");
        primary = deployment?.taskDefinition === arn ? deployment.rolloutState : undefined;
      }
      expect(primary).toBe("COMPLETED");
    }
  });

  it("is not put back once the test has called or changed anything after its reset: the build runs as it is, and no snapshot is taken", async () => {
    const name = `test-not-fresh-${Date.now()}`;
    await handle.emulator.reset();
    await fromSnapshot(awsClients(handle.emulator), name, () => seedPlatformUnder(awsClients(handle.emulator)));
    for (const change of [
      () => handle.emulator.setLatency(0),
      () => handle.emulator.addRule({ match: "x", outcome: "fail" }),
      async () => void (await registerTaskDefinition(awsClients(handle.emulator), { ...webTaskDefinition("e".repeat(40)), family: "first" })),
    ]) {
      await handle.emulator.reset();
      await change();
      expect(await handle.emulator.restore(name)).toEqual({ restored: false, recording: false });
      await expect(handle.emulator.snapshot(name, null)).rejects.toThrow(/no snapshot .* is being recorded/);
    }
    // A reset between the recording's start and its taking: refused.
    await handle.emulator.reset();
    expect(await handle.emulator.restore(`${name}-other`)).toEqual({ restored: false, recording: true });
    await handle.emulator.reset();
    await expect(handle.emulator.snapshot(`${name}-other`, null)).rejects.toThrow(/no snapshot .* is being recorded/);
  });
});

/** seedPlatform's calls, made through the API whatever the clients (a snapshot test records its own). */
async function seedPlatformUnder(clients: AwsClients): Promise<unknown> {
  const { snapshots: _snapshots, ...withoutSnapshots } = clients;
  return seedPlatform(withoutSnapshots);
}
