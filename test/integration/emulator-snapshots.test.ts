/**
 * Snapshots of the emulator (POST /_sim/restore and /_sim/snapshot; test/helpers/seed.ts, fromSnapshot):
 * a set-up put back from a snapshot is the set-up built through the API, as every read shows it, and
 * nothing else; it continues as the built one does; a snapshot never replaces what a test did first.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-ecs";
import { GetParametersByPathCommand } from "@aws-sdk/client-ssm";
import { DescribeImagesCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { CreateRoleCommand, GetRoleCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { awsClients, useEmulator, type AwsClients } from "../helpers/emulator.js";
import { fromSnapshot, registerTaskDefinition, SEED_EXECUTION_ROLE_NAME, seedPlatform, SNAPSHOTS_VARIABLE, webTaskDefinition } from "../helpers/seed.js";

const handle = useEmulator();
// These tests are of the snapshots themselves: they take and put back snapshots even in a run that
// builds every other set-up through the API (EMULATOR_SNAPSHOTS=off).
beforeEach(() => {
  vi.stubEnv(SNAPSHOTS_VARIABLE, "");
});

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
      () => handle.emulator.addFault({ operation: "DescribeServices", error: "ThrottlingException", count: 1 }),
      async () => void (await handle.emulator.setConsistency({ staleServiceReads: 0 })),
      () => handle.emulator.setMissingImagesFail(false),
      async () => void (await handle.emulator.advanceClock(60)),
      () => handle.emulator.autoScale("prod", "web", 3).catch(() => undefined),
      async () => void (await fetch(`${handle.emulator.url}/moto-api/`)),
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

describe("set-ups that chain", () => {
  it("one put back on top of another is kept under both: the same name from a reset is another snapshot", async () => {
    const first = `test-chain-a-${Date.now()}`;
    const second = `test-chain-b-${Date.now()}`;
    // Each build answers something of its own: the same answer twice means the second was put back.
    const role = (name: string) => async () => {
      const clients = awsClients({ url: handle.emulator.url });
      await clients.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: "{}" }));
      return `${name} ${Math.random()}`;
    };
    const roles = async (): Promise<string[]> => ((await awsClients(handle.emulator).iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName ?? "").sort();
    const answers: string[][] = [];
    for (let round = 0; round < 2; round++) {
      await handle.emulator.reset();
      answers.push([await fromSnapshot(handle.emulator, first, role("chain-a")), await fromSnapshot(handle.emulator, second, role("chain-b"))]);
      expect(await roles()).toEqual(["chain-a", "chain-b"]);
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]?.[1]).toMatch(/^chain-b /);
    await handle.emulator.reset();
    expect(await handle.emulator.restore(second)).toEqual({ restored: false, recording: true });
    expect(await roles()).toEqual([]);
  });

  it("a set-up inside one being recorded is made through the API, and the outer snapshot holds it", async () => {
    const outer = `test-nested-outer-${Date.now()}`;
    const inner = `test-nested-inner-${Date.now()}`;
    const create = (name: string) => async () => {
      await awsClients({ url: handle.emulator.url }).iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: "{}" }));
      return name;
    };
    // The inner set-up first: the emulator is still in a known state, and has no snapshot of it yet.
    const build = async () => [await fromSnapshot(handle.emulator, inner, create("nested-b")), await create("nested-a")()];
    const roles = async (): Promise<string[]> => ((await awsClients(handle.emulator).iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName ?? "").sort();
    await handle.emulator.reset();
    expect(await fromSnapshot(handle.emulator, outer, build)).toEqual(["nested-b", "nested-a"]);
    await handle.emulator.reset();
    expect(await fromSnapshot(handle.emulator, outer, async () => ["built again"])).toEqual(["nested-b", "nested-a"]);
    expect(await roles()).toEqual(["nested-a", "nested-b"]);
  });
});

/** An EC2 query call (no EC2 client among the project's packages), as moto reads it; the XML answer. */
async function ec2(parameters: Record<string, string>): Promise<string> {
  const response = await fetch(handle.emulator.url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: "AWS4-HMAC-SHA256 Credential=testing/20261207/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0" },
    body: new URLSearchParams({ Version: "2016-11-15", ...parameters }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${parameters["Action"]}: ${text}`);
  return text;
}

const first = (xml: string, element: string): string => new RegExp(`<${element}>([^<]+)</${element}>`).exec(xml)?.[1] ?? "";

describe("EC2 in a snapshot (moto's copies of it: test/emulator/moto-process.ts)", () => {
  it("a security group rule keeps its tags, and tags it gets later show, as after the calls themselves", async () => {
    const name = `test-ec2-rule-${Date.now()}`;
    const build = async () => {
      const vpc = first(await ec2({ Action: "DescribeVpcs" }), "vpcId");
      const group = first(await ec2({ Action: "CreateSecurityGroup", GroupName: "g", GroupDescription: "d", VpcId: vpc }), "groupId");
      const rule = await ec2({
        Action: "AuthorizeSecurityGroupIngress",
        GroupId: group,
        "IpPermissions.1.IpProtocol": "tcp",
        "IpPermissions.1.FromPort": "80",
        "IpPermissions.1.ToPort": "80",
        "IpPermissions.1.IpRanges.1.CidrIp": "10.0.0.0/8",
        "TagSpecification.1.ResourceType": "security-group-rule",
        "TagSpecification.1.Tag.1.Key": "k",
        "TagSpecification.1.Tag.1.Value": "v",
      });
      return first(rule, "securityGroupRuleId");
    };
    const tags = async (rule: string): Promise<string[]> => [...(await ec2({ Action: "DescribeSecurityGroupRules", "SecurityGroupRuleId.1": rule })).matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1] ?? "").sort();
    await handle.emulator.reset();
    const rule = await fromSnapshot(handle.emulator, name, build);
    expect(rule).toMatch(/^sgr-/);
    await handle.emulator.reset();
    expect(await fromSnapshot(handle.emulator, name, build)).toBe(rule);
    expect(await tags(rule)).toEqual(["k"]);
    await ec2({ Action: "CreateTags", "ResourceId.1": rule, "Tag.1.Key": "k2", "Tag.1.Value": "v2" });
    expect(await tags(rule)).toEqual(["k", "k2"]);
  });

  it("a snapshot with EC2 instances is refused, and says why", async () => {
    await handle.emulator.reset();
    const run = () => ec2({ Action: "RunInstances", ImageId: "ami-12c6146b", MinCount: "1", MaxCount: "1" }).then(() => null);
    await expect(fromSnapshot(handle.emulator, `test-ec2-instances-${Date.now()}`, run)).rejects.toThrow(/cannot hold EC2 instances/);
  });
});

/** seedPlatform's calls, made through the API whatever the clients (a snapshot test records its own). */
async function seedPlatformUnder(clients: AwsClients): Promise<unknown> {
  const { snapshots: _snapshots, ...withoutSnapshots } = clients;
  return seedPlatform(withoutSnapshots);
}
