/**
 * run-task (and release's pre-deploy task) stream the task's awslogs output while it runs — GetLogEvents
 * forward, at most every LIVE_LOG_INTERVAL_MS on the command's clock — and once more after it stops,
 * every known SecureString masked; another log driver is named and skipped. The emulator's tasks
 * write a line per DescribeTasks step and their end when they stop (test/emulator/task-logs.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { virtualClock } from "../helpers/clock.js";
import { REGION, useEmulator } from "../helpers/emulator.js";
import { createLogGroup, imageUri, putParameters, registerTaskDefinition, SEED_EXECUTION_ROLE, SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const dir = mkdtempSync(join(tmpdir(), "ecs-release-run-task-logs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SHA = SEED_SHAS[1];
const GROUP = "/ecs/web";
const SECRET = "MARKER-9d1e-db-password";

/** ecs-release's own lines on stderr (timestamped), without the timestamp. */
function lines(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => /^\d{4}-\d\d-\d\dT[\d:]+Z /.test(line))
    .map((line) => line.replace(/^\S+ /, ""));
}

function webTemplate(logConfiguration: object): string {
  const file = join(dir, `web-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ family: "web", executionRoleArn: SEED_EXECUTION_ROLE, networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions: [{ name: "app", image: imageUri("platform", SHA), essential: true, memory: 256, logConfiguration }] }));
  return file;
}

const AWSLOGS = { logDriver: "awslogs" as const, options: { "awslogs-group": GROUP, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs" } };

beforeEach(async () => {
  await createLogGroup(clients, GROUP);
  await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: SECRET, secure: true } });
});

describe("run-task: the task's live log", () => {
  it("prints the migration's lines while it runs and after it ends, the SecureString its release recorded masked", async () => {
    // A revision released by ecs-release: its record says database_PASSWORD is a SecureString.
    const released = await runCli(["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA, "--template", webTemplate(AWSLOGS), "--poll-interval", "1ms"], handle.env());
    expect(released.code, released.stderr).toBe(0);
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 6, logLines: ["migrating users", `connecting with password ${SECRET}`, "migrated 42 rows"] });

    const cli = await runCli(["run-task", "--cluster", "prod", "--task-definition", "web", "--command", "bin/migrate", "--like-service", "web", "--poll-interval", "1s", "--json"], handle.env(), { clock: virtualClock() });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.output).not.toContain(SECRET);
    const printed = lines(cli.stderr);
    const at = (text: string): number => printed.findIndex((line) => line === text);
    const stopped = printed.findIndex((line) => /^task [\w-]+ stopped: container app exited with code 0/.test(line));
    // While it runs: the first lines come before the task stopped…
    expect(at("[app] [app] starting: bin/migrate")).toBeGreaterThan(-1);
    expect(at("[app] migrating users")).toBeGreaterThan(-1);
    expect(at("[app] migrating users")).toBeLessThan(printed.findIndex((line) => /^task [\w-]+: STOPPED|stopped:/.test(line)));
    // …the secret masked (positive control: the line itself is printed)…
    expect(at("[app] connecting with password ****")).toBeGreaterThan(-1);
    // …and what it wrote as it stopped is read once more after the stop.
    expect(at("[app] done")).toBeGreaterThan(at("[app] migrated 42 rows"));
    expect(at("[app] done")).toBeLessThan(stopped);
    const result = JSON.parse(cli.stdout) as { logTail: string[] };
    expect(result.logTail).toEqual(["[app] starting: bin/migrate", "migrating users", "connecting with password ****", "migrated 42 rows", "done"]);
    // At most one GetLogEvents read per 2 s of the command's clock while it runs (1 s polls), and the final one.
    const reads = (await handle.emulator.callLog()).filter((e) => e.operation === "GetLogEvents").length;
    expect(reads).toBeGreaterThanOrEqual(3);
    expect(reads).toBeLessThanOrEqual(6);
  });

  it("release's pre-deploy task streams its log too, the SecureStrings the release read masked", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 3, logLines: ["migrating", `dsn=postgres://app:${SECRET}@db`] });
    const cli = await runCli(
      ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA, "--template", webTemplate(AWSLOGS), "--pre-deploy-command", "bin/migrate", "--poll-interval", "1ms"],
      handle.env(),
    );
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.output).not.toContain(SECRET);
    const printed = lines(cli.stderr);
    expect(printed).toContain("[app] migrating");
    expect(printed).toContain("[app] dsn=postgres://app:****@db");
    expect(printed.findIndex((line) => line === "[app] done")).toBeLessThan(printed.findIndex((line) => line.startsWith("pre-deploy: the command succeeded")));
  });

  it("a failed task's error quotes the last line of its log", async () => {
    await registerTaskDefinition(clients, { family: "migrate", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions: [{ name: "app", image: imageUri("platform", SHA), essential: true, memory: 256, logConfiguration: AWSLOGS }] });
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 2, exitCode: 1 });
    const cli = await runCli(["run-task", "--cluster", "prod", "--task-definition", "migrate", "--like-service", "web", "--poll-interval", "10ms"], handle.env());
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stderr).toContain("[app] Traceback (most recent call last):");
    expect(cli.stderr).toMatch(/error: task [\w-]+ failed: container app exited with code 1; .*its log ends: "RuntimeError: platform:2+ failed \(exit code 1\)"/);
  });

  it("names a log driver that is not awslogs and skips it", async () => {
    await registerTaskDefinition(clients, { family: "migrate", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions: [{ name: "app", image: imageUri("platform", SHA), essential: true, memory: 256, logConfiguration: { logDriver: "splunk", options: { "splunk-url": "https://splunk.example" } } }] });
    const cli = await runCli(["run-task", "--cluster", "prod", "--task-definition", "migrate", "--like-service", "web", "--poll-interval", "10ms"], handle.env());
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toContain("container app logs with the splunk driver: its output is not shown here");
    expect((await handle.emulator.callLog()).filter((e) => e.operation === "GetLogEvents")).toEqual([]);
  });
});
