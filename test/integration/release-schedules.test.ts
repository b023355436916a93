/**
 * Scheduled tasks follow the release (`--update-schedules`): teams run cron jobs and celery beat as
 * EventBridge scheduled tasks and EventBridge Scheduler schedules of the service's family. Once the
 * services are stable, release points them at the new revision, and rollback points them back at its
 * target, before it deregisters anything. EventBridge and Scheduler are moto's, through the emulator.
 */
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { EventBridgeClient, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { ACCOUNT_ID, REGION, useEmulator } from "../helpers/emulator.js";
import { SEED_NETWORK, SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
seedEachTest(handle);

const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/prod`;
const ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/ecs-scheduled-tasks`;
const web = (revision: number): string => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task-definition/web:${revision}`;
const BASE = ["--cluster", "prod", "--service", "web", "--poll-interval", "10ms"];
const NETWORK = { awsvpcConfiguration: { Subnets: SEED_NETWORK.awsvpcConfiguration?.subnets ?? [], AssignPublicIp: "DISABLED" as const } };

function clients() {
  const config = { region: REGION, endpoint: handle.emulator.url, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  return { events: new EventBridgeClient(config), scheduler: new SchedulerClient(config) };
}

/** A nightly EventBridge rule and an hourly schedule, both running web:1 (what the service runs). */
async function scheduleWeb(): Promise<void> {
  const { events, scheduler } = clients();
  await events.send(new PutRuleCommand({ Name: "nightly-report", ScheduleExpression: "cron(0 3 * * ? *)" }));
  await events.send(
    new PutTargetsCommand({
      Rule: "nightly-report",
      Targets: [{ Id: "1", Arn: CLUSTER_ARN, RoleArn: ROLE, Input: '{"containerOverrides":[{"name":"app","command":["report"]}]}', EcsParameters: { TaskDefinitionArn: web(1), TaskCount: 1, LaunchType: "FARGATE", NetworkConfiguration: NETWORK } }],
    }),
  );
  await scheduler.send(
    new CreateScheduleCommand({
      Name: "cleanup",
      ScheduleExpression: "rate(1 hour)",
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: { Arn: CLUSTER_ARN, RoleArn: ROLE, EcsParameters: { TaskDefinitionArn: web(1), TaskCount: 1, LaunchType: "FARGATE", NetworkConfiguration: NETWORK } },
    }),
  );
}

async function scheduledRevisions(): Promise<{ rule: string | undefined; input: string | undefined; schedule: string | undefined }> {
  const { events, scheduler } = clients();
  const target = (await events.send(new ListTargetsByRuleCommand({ Rule: "nightly-report" }))).Targets?.[0];
  const schedule = await scheduler.send(new GetScheduleCommand({ Name: "cleanup" }));
  return { rule: target?.EcsParameters?.TaskDefinitionArn, input: target?.Input, schedule: schedule.Target?.EcsParameters?.TaskDefinitionArn };
}

describe("release --update-schedules and rollback --update-schedules", () => {
  it("release moves the rule target and the schedule to the new revision; rollback moves them back", async () => {
    await scheduleWeb();
    const dry = await runCli(["release", ...BASE, "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SEED_SHAS[1], "--update-schedules", "--dry-run"], handle.env());
    expect(dry.code, dry.output).toBe(0);
    expect(dry.stderr).toContain("would point EventBridge rule nightly-report (target 1) (web:1) at the new revision of web");
    expect((await scheduledRevisions()).rule).toBe(web(1));

    const released = await runCli(["release", ...BASE, "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SEED_SHAS[1], "--update-schedules"], handle.env());
    expect(released.code, released.output).toBe(0);
    expect(released.stderr).toContain("pointed EventBridge rule nightly-report (target 1) (web:1) at web:2");
    expect(released.stderr).toContain("pointed EventBridge Scheduler schedule default/cleanup (web:1) at web:2");
    const after = await scheduledRevisions();
    expect(after).toEqual({ rule: web(2), input: '{"containerOverrides":[{"name":"app","command":["report"]}]}', schedule: web(2) });

    const rolledBack = await runCli(["rollback", ...BASE, "--update-schedules"], handle.env());
    expect(rolledBack.code, rolledBack.output).toBe(0);
    expect(rolledBack.stderr).toContain("pointed EventBridge rule nightly-report (target 1) (web:2) at web:1");
    expect((await scheduledRevisions()).rule).toBe(web(1));
    expect((await scheduledRevisions()).schedule).toBe(web(1));
  });

  it("without the flag, a release leaves them where they were (the control)", async () => {
    await scheduleWeb();
    const released = await runCli(["release", ...BASE, "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SEED_SHAS[1]], handle.env());
    expect(released.code, released.output).toBe(0);
    const out = await clients().events.send(new ListTargetsByRuleCommand({ Rule: "nightly-report" }));
    expect(out.Targets?.[0]?.EcsParameters?.TaskDefinitionArn).toBe(web(1));
    const svc = await new (await import("@aws-sdk/client-ecs")).ECSClient({ region: REGION, endpoint: handle.emulator.url, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } }).send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
    expect(svc.services?.[0]?.taskDefinition).toBe(web(2));
  });
});
