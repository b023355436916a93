/**
 * `ecs-release run-task` end to end: the built CLI against the emulator, real SDK clients reading
 * the state back. Tasks stop after `steps` DescribeTasks calls with the rule's exit code.
 */
import { CreateServiceCommand, DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { createAwsClients } from "../../src/aws/clients.js";
import { run as runTask } from "../../src/commands/run-task.js";
import type { Clock } from "../../src/core/clock.js";
import { InterruptedError, WaitTimeoutError } from "../../src/core/errors.js";
import { silentLogger } from "../../src/core/logger.js";
import { runCli } from "../helpers/cli.js";
import { useEmulator, writeOperations } from "../helpers/emulator.js";
import { createLogGroup, imageUri, registerTaskDefinition, SEED_SHAS, seedEachTest } from "../helpers/seed.js";
import { virtualClock } from "../helpers/clock.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
/** Calls in the log before the test's own (the seeding). */
let seeded = 0;
const SHA = SEED_SHAS[0];
const NETWORK = { awsvpcConfiguration: { subnets: ["subnet-0123456789abcdef0"], securityGroups: ["sg-0123456789abcdef0"], assignPublicIp: "DISABLED" } };
const FAST = ["--poll-interval", "10ms"];

beforeEach(async () => {
  seeded = (await handle.emulator.callLog()).length;
});

function run(args: string[], env: Record<string, string> = {}) {
  return runCli(["run-task", ...args], { ...handle.env(), ...env });
}

/** The write operations since the seeding. */
async function writes(): Promise<string[]> {
  return writeOperations((await handle.emulator.callLog()).slice(seeded)).map((entry) => entry.operation);
}

/** ecs-release's own lines on stderr (timestamped), without Node's warnings about the runtime. */
function logLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => /^\d{4}-\d\d-\d\dT[\d:]+Z /.test(line));
}

describe("run-task", () => {
  it("runs the command in the service's network, waits until STOPPED and exits 0 when the container exits 0", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 3, exitCode: 0 });
    const cli = await run(["--cluster", "prod", "--task-definition", "web", "--container", "app", "--command", "python manage.py migrate --database 'main db'", "--like-service", "web", "--json", ...FAST]);

    expect(cli.stderr).toContain("running web:1 in cluster prod: container app runs python manage.py migrate --database 'main db' (like service web: FARGATE, subnets subnet-0123456789abcdef0");
    expect(cli.stderr).toMatch(/task [\w-]+: RUNNING/);
    expect(cli.stderr).toMatch(/task [\w-]+ stopped: container app exited with code 0/);
    expect(cli.code).toBe(0);
    const result = JSON.parse(cli.stdout);
    expect(result).toMatchObject({ status: "succeeded", exitCode: 0, lastStatus: "STOPPED", container: "app", likeService: "web", command: ["python", "manage.py", "migrate", "--database", "main db"] });

    // What RunTask was asked, as the emulator received it: the service's awsvpc network configuration, its launch type.
    const [record, ...more] = await handle.emulator.tasks();
    expect(more).toEqual([]);
    expect(record?.taskArn).toBe(result.taskArn);
    expect(record?.request).toMatchObject({
      cluster: "prod",
      taskDefinition: expect.stringMatching(/:task-definition\/web:1$/),
      startedBy: "ecs-release",
      count: 1,
      launchType: "FARGATE",
      networkConfiguration: NETWORK,
      overrides: { containerOverrides: [{ name: "app", command: ["python", "manage.py", "migrate", "--database", "main db"] }] },
    });
    expect(await writes()).toEqual(["RunTask"]);

    // And ECS has the task STOPPED with exit code 0.
    const { tasks } = await clients.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [result.taskArn] }));
    expect(tasks?.[0]?.lastStatus).toBe("STOPPED");
    expect(tasks?.[0]?.containers?.find((c) => c.name === "app")?.exitCode).toBe(0);
  });

  it("exits 1 with the container's exit code and the stopped reason when it is not 0", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 2, exitCode: 3 });
    const cli = await run(["--cluster", "prod", "--task-definition", "web:1", "--command", "bin/migrate", "--like-service", "web", "--json", ...FAST]);

    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/error: task [\w-]+ failed: container app exited with code 3; task stopped: Essential container in task exited \(EssentialContainerExited\); look at it: aws ecs describe-tasks --region us-east-1 --cluster prod --tasks arn:aws:ecs:/);
    const document = JSON.parse(cli.stdout);
    expect(document.error).toMatchObject({ name: "DeploymentFailedError", exitCode: 1 });
    expect(document.result).toMatchObject({ status: "failed", exitCode: 3, stoppedReason: "Essential container in task exited", stopCode: "EssentialContainerExited", container: "app" });
  });

  it("exits 4 at the deadline, leaves the task running and says how to look at it", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "stuck" });
    const cli = await run(["--cluster", "prod", "--task-definition", "worker", "--like-service", "worker", "--timeout", "400ms", "--json", ...FAST]);

    expect(cli.code).toBe(4);
    const taskArn = JSON.parse(cli.stdout).result.taskArn as string;
    expect(cli.stderr).toContain(
      `is still RUNNING after 400ms (ecs-release did not stop it; aws ecs stop-task --region us-east-1 --cluster prod --task ${taskArn} would); look at it: aws ecs describe-tasks --region us-east-1 --cluster prod --tasks ${taskArn}`,
    );
    expect(JSON.parse(cli.stdout).result).toMatchObject({ status: "timed-out", lastStatus: "RUNNING", exitCode: null, command: null, container: "app" });
    expect(await writes()).toEqual(["RunTask"]);
    const { tasks } = await clients.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [taskArn] }));
    expect(tasks?.[0]?.lastStatus).toBe("RUNNING");
  });

  it("copies a capacity provider strategy without FARGATE_SPOT (saying so), runs on Spot only when asked, and names the awslogs stream", async () => {
    const taskDefinition = await registerTaskDefinition(clients, {
      family: "migrate",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "migrate",
          image: imageUri("platform", SHA),
          essential: true,
          memory: 256, // moto's RunTask fails (HTTP 500) on a container without container-level memory
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/migrate", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs" } },
        },
      ],
    });
    // The awslogs group must exist, or ECS cannot start the task (ResourceInitializationError).
    await createLogGroup(clients, "/ecs/migrate");
    const strategy = [
      { capacityProvider: "FARGATE_SPOT", weight: 3, base: 0 },
      { capacityProvider: "FARGATE", weight: 1, base: 1 },
    ];
    await clients.ecs.send(
      new CreateServiceCommand({ cluster: "prod", serviceName: "spot", taskDefinition, desiredCount: 1, capacityProviderStrategy: strategy, networkConfiguration: NETWORK as never }),
    );
    seeded = (await handle.emulator.callLog()).length;
    const cli = await run(["--cluster", "prod", "--task-definition", taskDefinition, "--command", "bin/migrate", "--like-service", "spot", "--json", ...FAST]);

    expect(cli.stderr).toMatch(/logs: aws logs tail \/ecs\/migrate --region us-east-1 --log-stream-names ecs\/migrate\/[\w-]+ --follow/);
    expect(cli.stderr).toMatch(/service spot's capacity provider strategy uses FARGATE_SPOT, which can interrupt a task: the one-off task runs on FARGATE instead/);
    expect(cli.code).toBe(0);
    const [record] = await handle.emulator.tasks();
    expect(record?.request).toMatchObject({ capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1, base: 1 }], networkConfiguration: NETWORK });
    expect(record?.request).not.toHaveProperty("launchType");
    expect(JSON.parse(cli.stdout).logs).toEqual({ group: "/ecs/migrate", stream: `ecs/migrate/${JSON.parse(cli.stdout).taskId}`, region: "us-east-1" });

    const spot = await run(["--cluster", "prod", "--task-definition", taskDefinition, "--like-service", "spot", "--capacity-provider-strategy", "FARGATE_SPOT:1", ...FAST]);
    expect(spot.code, spot.stderr).toBe(0);
    expect((await handle.emulator.tasks())[1]?.request).toMatchObject({ capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] });
    const ec2 = await run(["--cluster", "prod", "--task-definition", taskDefinition, "--like-service", "spot", "--launch-type", "FARGATE", ...FAST]);
    expect(ec2.code, ec2.stderr).toBe(0);
    expect((await handle.emulator.tasks())[2]?.request).toMatchObject({ launchType: "FARGATE" });
    expect((await handle.emulator.tasks())[2]?.request).not.toHaveProperty("capacityProviderStrategy");
  });

  it("passes the command given in ECS_RELEASE_COMMAND, commas and all", async () => {
    const cli = await run(["--cluster", "prod", "--task-definition", "web", "--like-service", "web", ...FAST], { ECS_RELEASE_COMMAND: "bin/migrate --only=a,b" });
    expect(cli.code).toBe(0);
    const [record] = await handle.emulator.tasks();
    expect(record?.request).toMatchObject({ overrides: { containerOverrides: [{ name: "app", command: ["bin/migrate", "--only=a,b"] }] } });
  });

  it.each<[string, string[], RegExp]>([
    ["a container the revision does not have", ["--task-definition", "web", "--container", "api", "--like-service", "web"], /--container api: task definition web:1 has no such container; it has app, log-router/],
    ["an awsvpc revision without --like-service", ["--task-definition", "web"], /awsvpc network mode: pass --like-service SERVICE/],
    ["a task definition that does not exist", ["--task-definition", "nope:9", "--like-service", "web"], /--task-definition nope:9: no such task definition/],
    ["a service that does not exist", ["--task-definition", "web", "--like-service", "api"], /--like-service api: no service of that name in cluster prod/],
    ["a cluster that does not exist", ["--task-definition", "web", "--like-service", "web", "--cluster", "staging"], /cluster staging does not exist/],
    ["shell syntax in --command", ["--task-definition", "web", "--like-service", "web", "--command", "bin/migrate && bin/seed"], /--command contains an unquoted "&".*sh -c/],
    ["an unterminated quote", ["--task-definition", "web", "--like-service", "web", "--command", "bin/migrate 'oops"], /unterminated single quote/],
  ])("refuses %s with exit 2, one line, before writing anything", async (_name, args, message) => {
    const cli = await run(["--cluster", "prod", ...args, ...FAST]);
    expect(cli.stderr).toMatch(message);
    expect(cli.code).toBe(2);
    expect(logLines(cli.stderr)).toHaveLength(1);
    expect(await writes()).toEqual([]);
  });

  // Issue 18 item 1: success = the task really finished. Fargate Spot interruptions stop a task with
  // stopCode SpotInterruption after SIGTERM (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html);
  // a migration that catches SIGTERM exits 0.
  it("exits 1 when a Spot interruption stopped the task, even though the container exited 0", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 2, exitCode: 0, stopCode: "SpotInterruption" });
    const cli = await run(["--cluster", "prod", "--task-definition", "web", "--like-service", "web", "--command", "bin/migrate", "--json", ...FAST]);
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stderr).toMatch(/error: task [\w-]+ failed: the task was interrupted before it finished \(container app exited with code 0\); task stopped: Your Spot Task was interrupted\. \(SpotInterruption\)/);
    expect(JSON.parse(cli.stdout).result).toMatchObject({ status: "failed", exitCode: 0, stopCode: "SpotInterruption", blame: "infrastructure" });
  });

  it("exits 1 when an essential sidecar failed and the app exited 0 on SIGTERM", async () => {
    const taskDefinition = await registerTaskDefinition(clients, {
      family: "migrate-with-proxy",
      networkMode: "bridge",
      containerDefinitions: [
        { name: "app", image: imageUri("platform", SHA), essential: true, memory: 256 },
        { name: "db-proxy", image: "public.ecr.aws/example/cloud-sql-proxy:2", essential: true, memory: 64 },
      ],
    });
    seeded = (await handle.emulator.callLog()).length;
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 2, exitCode: 0, containerExitCodes: { "db-proxy": 1 } });
    const cli = await run(["--cluster", "prod", "--task-definition", taskDefinition, "--container", "app", "--command", "bin/migrate", "--json", ...FAST]);
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stderr).toMatch(/failed: essential container db-proxy exited with code 1, which stops the task; container app exited with code 0; task stopped: Essential container in task exited/);
    expect(JSON.parse(cli.stdout).result).toMatchObject({ status: "failed", exitCode: 0, blame: "revision" });
  });

  // RunTask failures[]: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html
  it("exits 1 naming RunTask's failures when ECS places no task", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", runTaskFailure: "RESOURCE:MEMORY" });
    const cli = await run(["--cluster", "prod", "--task-definition", "web", "--like-service", "web", "--json", ...FAST]);
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stderr).toMatch(/error: RunTask web:1 in cluster prod started no task: RESOURCE:MEMORY/);
    expect(JSON.parse(cli.stdout).result).toMatchObject({ status: "not-started", taskArn: null, blame: "infrastructure", reason: "RESOURCE:MEMORY" });
  });

  // RunTask: "A total of 8192 characters are allowed for overrides" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
  it("refuses a --command whose overrides exceed ECS's 8192 characters with exit 2, before RunTask", async () => {
    const cli = await run(["--cluster", "prod", "--task-definition", "web", "--like-service", "web", "--command", `bin/migrate ${"x".repeat(9000)}`, ...FAST]);
    expect(cli.code).toBe(2);
    expect(logLines(cli.stderr).at(-1)).toMatch(/error: --command is too long for RunTask: its overrides would be \d+ characters and ECS allows 8192/);
    expect(await writes()).toEqual([]);
  });

  // Issue 18 items 6 and 7: tags on create (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html)
  // and ECS Exec into a hung migration.
  // moto keeps no enableExecuteCommand on services: copying it from the service is covered by
  // test/unit/core/run-task-input.test.ts; here the flag, end to end.
  it("copies the service's task tags on create (moto keeps no enableECSManagedTags: unit-tested); --enable-execute-command turns ECS Exec on and says how to use it", async () => {
    const taskDefinition = await registerTaskDefinition(clients, {
      family: "tagged",
      networkMode: "bridge",
      containerDefinitions: [{ name: "app", image: imageUri("platform", SHA), essential: true, memory: 256 }],
    });
    await clients.ecs.send(
      new CreateServiceCommand({
        cluster: "prod",
        serviceName: "tagged",
        taskDefinition,
        desiredCount: 1,
        launchType: "EC2",
        enableECSManagedTags: true,
        propagateTags: "SERVICE",
        tags: [{ key: "team", value: "payments" }],
      }),
    );
    const cli = await run(["--cluster", "prod", "--task-definition", taskDefinition, "--like-service", "tagged", "--enable-execute-command", ...FAST]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/a shell in it: aws ecs execute-command --region us-east-1 --cluster prod --task arn:aws:ecs:\S+ --container app --interactive --command \/bin\/sh/);
    const [record] = await handle.emulator.tasks();
    expect(record?.request).toMatchObject({ tags: [{ key: "team", value: "payments" }], enableExecuteCommand: true });
    expect(record?.request).not.toHaveProperty("propagateTags");
  });

  describe("in process, with an injected clock", () => {
    function deps(clock: Clock, signal: AbortSignal) {
      return { aws: createAwsClients({ region: "us-east-1", maxAttempts: 1, env: handle.env() }), log: silentLogger, clock, signal };
    }

    const options = { cluster: "prod", taskDefinition: "worker", likeService: "worker", command: ["bin/migrate"], timeoutMs: 60_000, pollIntervalMs: 6_000 };

    it("ends exactly at the deadline: polls every interval, the last sleep cut to what is left", async () => {
      await handle.emulator.addRule({ match: SHA, outcome: "stuck" });
      const clock = virtualClock();
      const error = await runTask({ ...options, timeoutMs: 15_000 }, deps(clock, new AbortController().signal)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WaitTimeoutError);
      expect(clock.slept).toEqual([6_000, 6_000, 3_000]);
      expect((error as WaitTimeoutError).result).toMatchObject({ status: "timed-out", lastStatus: "RUNNING", durationMs: 15_000 });
      expect((await handle.emulator.callLog()).slice(seeded).filter((e) => e.operation === "DescribeTasks")).toHaveLength(4);
    });

    // Issue 15 item 3: CircleCI kills a step that prints nothing for no_output_timeout
    // (https://circleci.com/docs/configuration-reference/#run): a wait says what it waits for at least once a minute.
    it("prints a progress line at least once a minute while nothing changes, even with a long poll interval", async () => {
      await handle.emulator.addRule({ match: SHA, outcome: "stuck" });
      const clock = virtualClock({ start: 1_000_000 });
      const lines: Array<[number, string]> = [];
      const log = { info: (message: string) => lines.push([clock.now(), message]), warn: () => {}, debug: () => {} };
      const error = await runTask({ ...options, timeoutMs: 5 * 60_000, pollIntervalMs: 90_000, label: "pre-deploy task" }, { ...deps(clock, new AbortController().signal), log }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WaitTimeoutError);
      const progress = lines.filter(([, message]) => /^waiting for pre-deploy task [\w-]+ \(container app\) to stop: RUNNING for \d+m/.test(message));
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(progress[0]?.[1]).toMatch(/RUNNING for 1m(00s)? \(deadline in 4m(00s)?\)$/);
      const times = [1_000_000, ...lines.map(([at]) => at), 1_000_000 + 5 * 60_000];
      for (let index = 1; index < times.length; index += 1) expect((times[index] ?? 0) - (times[index - 1] ?? 0)).toBeLessThanOrEqual(60_000);
    });

    // Issue 13 part 1/3.1: ECS may not show a revision registered moments ago (ClientException
    // "Unable to describe task definition."; https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
    it("retries a just-registered revision ECS does not show yet, with bounded backoff, and then gives up", async () => {
      await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 1, unknownRevisionReads: 2 });
      const fresh = await registerTaskDefinition(clients, { family: "fresh", networkMode: "bridge", containerDefinitions: [{ name: "app", image: imageUri("platform", SHA), essential: true, memory: 256 }] });
      const clock = virtualClock();
      const result = await runTask({ cluster: "prod", taskDefinition: fresh, timeoutMs: 60_000, pollIntervalMs: 6_000, justRegistered: true }, deps(clock, new AbortController().signal));
      expect(result.status).toBe("succeeded");
      expect(clock.slept.slice(0, 2)).toEqual([1_000, 2_000]);

      await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 1, unknownRevisionReads: 10 });
      const never = await registerTaskDefinition(clients, { family: "fresh", networkMode: "bridge", containerDefinitions: [{ name: "app", image: imageUri("platform", SHA), essential: true, memory: 256 }] });
      const giveUp = virtualClock();
      const error = await runTask({ cluster: "prod", taskDefinition: never, timeoutMs: 60_000, pollIntervalMs: 6_000, justRegistered: true }, deps(giveUp, new AbortController().signal)).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/no such task definition/);
      expect(giveUp.slept).toEqual([1_000, 2_000, 4_000, 8_000]);
    });

    it("stops waiting on a signal, leaves the task running and says how to look at it", async () => {
      await handle.emulator.addRule({ match: SHA, outcome: "stuck" });
      const controller = new AbortController();
      const clock = virtualClock({
        onSleep: (count) => {
          if (count === 2) controller.abort(new InterruptedError("interrupted by SIGTERM"));
        },
      });
      const error = await runTask(options, deps(clock, controller.signal)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InterruptedError);
      expect((error as Error).message).toMatch(
        /^interrupted while waiting for task [\w-]+; the task was not stopped \(aws ecs stop-task --region us-east-1 --cluster prod --task arn:aws:ecs:\S+ would\): look at it: aws ecs describe-tasks --region us-east-1 --cluster prod --tasks arn:aws:ecs:/,
      );
      expect((error as InterruptedError).result).toMatchObject({ status: "interrupted", lastStatus: "RUNNING" });
      expect(await writes()).toEqual(["RunTask"]);
    });
  });
});
