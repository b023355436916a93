/**
 * Revisions used by more than services: an EventBridge rule target and an EventBridge Scheduler
 * schedule each pin a revision, and prune (and rollback's cleanup) keep it; ECS (and the emulator)
 * refuse to run a task from an INACTIVE revision.
 */
import { CreateClusterCommand, DeregisterTaskDefinitionCommand, RunTaskCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { awsClients, REGION, useEmulator } from "../helpers/emulator.js";
import { activeRevisions, registerRevisions, sha } from "../helpers/revisions.js";
import { createRepository, createService, SEED_NETWORK } from "../helpers/seed.js";

const handle = useEmulator();
const ROLE = "arn:aws:iam::123456789012:role/scheduled-tasks";

function clients() {
  const config = { region: REGION, endpoint: handle.emulator.url, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  return { ...awsClients(handle.emulator), events: new EventBridgeClient(config), scheduler: new SchedulerClient(config) };
}

interface PruneResult {
  families: Array<{ kept: Array<{ revision: number; reasons: string[] }>; deregistered: Array<{ revision: number }> }>;
}

describe("revisions run by EventBridge rules and Scheduler schedules", () => {
  beforeEach(async () => {
    await handle.emulator.reset();
  });

  it("prune keeps the revision a rule targets and the one a schedule targets, and says which", async () => {
    const aws = clients();
    await createRepository(aws, "platform");
    const { cluster } = await aws.ecs.send(new CreateClusterCommand({ clusterName: "prod" }));
    const arns = await registerRevisions(aws, [1, 2, 3, 4, 5, 6].map((n) => ({ family: "web", sha: sha(String(n)), outcome: "stable" as const, pushImage: n === 6 })));
    await createService(aws, { cluster: "prod", name: "web", taskDefinition: arns[5]!, desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
    await aws.events.send(new PutRuleCommand({ Name: "nightly-report", ScheduleExpression: "cron(0 3 * * ? *)" }));
    await aws.events.send(
      new PutTargetsCommand({ Rule: "nightly-report", Targets: [{ Id: "report", Arn: cluster!.clusterArn!, RoleArn: ROLE, EcsParameters: { TaskDefinitionArn: arns[1]!, TaskCount: 1, LaunchType: "FARGATE" } }] }),
    );
    await aws.scheduler.send(
      new CreateScheduleCommand({
        Name: "hourly-sync",
        ScheduleExpression: "rate(1 hour)",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: { Arn: cluster!.clusterArn!, RoleArn: ROLE, EcsParameters: { TaskDefinitionArn: arns[2]!, LaunchType: "FARGATE" } },
      }),
    );

    const run = await runCli(["prune", "--family", "web", "--keep", "1", "--json"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const family = (JSON.parse(run.stdout) as PruneResult).families[0]!;
    expect(family.kept.find((k) => k.revision === 2)?.reasons).toEqual(["run by EventBridge rule nightly-report"]);
    expect(family.kept.find((k) => k.revision === 3)?.reasons).toEqual(["run by EventBridge Scheduler schedule hourly-sync"]);
    expect(run.stderr).toMatch(/web:2: kept \(run by EventBridge rule nightly-report\)/);
    // Positive control: what no one runs goes (web:5 stays as web:6's rollback target).
    expect(family.deregistered.map((d) => d.revision).sort()).toEqual([1, 4]);
    expect(await activeRevisions(aws, "web")).toEqual([2, 3, 5, 6]);
  });

  it("rollback's cleanup spares the revision rolled back from when a schedule runs it, and says so", async () => {
    const aws = clients();
    await createRepository(aws, "platform");
    const { cluster } = await aws.ecs.send(new CreateClusterCommand({ clusterName: "prod" }));
    const arns = await registerRevisions(aws, [1, 2].map((n) => ({ family: "web", sha: sha(String(n)), outcome: "stable" as const, pushImage: true })));
    await createService(aws, { cluster: "prod", name: "web", taskDefinition: arns[1]!, desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
    await aws.scheduler.send(
      new CreateScheduleCommand({ Name: "hourly-sync", ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: cluster!.clusterArn!, RoleArn: ROLE, EcsParameters: { TaskDefinitionArn: arns[1]! } } }),
    );
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--json", "--poll-interval", "10ms", "--timeout", "1m"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { targets: Array<{ revision: string }>; deregistered: unknown[]; spared: Array<{ revision: string; reason: string }> };
    expect(result.targets.map((t) => t.revision)).toEqual(["web:1"]);
    expect(result.deregistered).toEqual([]);
    expect(result.spared).toEqual([expect.objectContaining({ revision: "web:2", reason: expect.stringMatching(/EventBridge Scheduler schedule hourly-sync/) })]);
    expect(await activeRevisions(aws, "web")).toEqual([1, 2]);
  });

  it("RunTask on an INACTIVE revision fails as in ECS; on an ACTIVE one it runs", async () => {
    const aws = clients();
    await createRepository(aws, "platform");
    await aws.ecs.send(new CreateClusterCommand({ clusterName: "prod" }));
    const [old, current] = await registerRevisions(aws, [{ family: "job", sha: sha("a"), pushImage: true }, { family: "job", sha: sha("b"), pushImage: true }]);
    await aws.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: old! }));
    const input = { cluster: "prod", launchType: "FARGATE" as const, networkConfiguration: SEED_NETWORK };
    await expect(aws.ecs.send(new RunTaskCommand({ ...input, taskDefinition: old! }))).rejects.toMatchObject({ name: "InvalidParameterException", message: "TaskDefinition is inactive" });
    const ran = await aws.ecs.send(new RunTaskCommand({ ...input, taskDefinition: current! }));
    expect(ran.tasks).toHaveLength(1);
    // CreateService on it too.
    await expect(createService(aws, { cluster: "prod", name: "late", taskDefinition: old!, desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK })).rejects.toMatchObject({ message: "TaskDefinition is inactive" });
  });

  it("UpdateService to an INACTIVE revision fails as in ECS; to an ACTIVE one, and a scale of a service on it, succeed", async () => {
    // "you can't update an existing service to reference an INACTIVE task definition"; "Existing
    // services that reference an INACTIVE task definition can still scale up or down"
    // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeregisterTaskDefinition.html).
    const aws = clients();
    await createRepository(aws, "platform");
    await aws.ecs.send(new CreateClusterCommand({ clusterName: "prod" }));
    const [old, middle, current] = await registerRevisions(aws, ["a", "b", "c"].map((c) => ({ family: "web", sha: sha(c), pushImage: true })));
    await createService(aws, { cluster: "prod", name: "web", taskDefinition: middle!, desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
    await aws.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: old! }));
    await aws.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: middle! }));
    await expect(aws.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: old! }))).rejects.toMatchObject({ name: "InvalidParameterException", message: "TaskDefinition is inactive" });
    // Positive controls: the service on its now-INACTIVE revision still scales; an ACTIVE revision is accepted.
    const scaled = await aws.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", desiredCount: 2 }));
    expect(scaled.service?.desiredCount).toBe(2);
    const updated = await aws.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: current! }));
    expect(updated.service?.taskDefinition).toBe(current);
  });
});
